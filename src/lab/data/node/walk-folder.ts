/**
 * The one walk of a dataset folder on disk, used by `scan`, `compare` and the folder tests alike. Symbolic links are
 * followed wherever they lead (class folders built from links into one image store are a common layout), but no real
 * path is read twice, so a link back up (`NORMAL/loop -> ..`) cannot multiply the images or give a file two labels.
 * A link to a folder that holds it (by real path) is a loop: reported once, at the link, and not entered.
 *
 * Real entries are walked first and links afterwards, so a link can never claim a folder before its real path does
 * (which would credit its images to the link's class).
 */
import { lstat, opendir, readlink, realpath, stat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath, sep } from 'node:path';
import { DataError } from '../errors';
import { folderSkipReason } from '../file-kinds';

/** One listed path: a file (`a/b.png`), a folder (`a/`), or either refused with a reason (never read). */
export interface WalkEntry {
  readonly path: string;
  readonly refused?: string;
}

/** Link reasons, constant heads so the summary groups them. */
export const LINK_REASONS = {
  seenFolder: 'link to a folder already read',
  seenFile: 'link to a file already read',
  broken: 'broken link',
  loop: 'link loop',
} as const;

const codeOf = (err: unknown): string =>
  typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'error';

/** What a non-regular file is, for the reason that refuses it (reading a named pipe would wait forever). */
function specialKind(info: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string | null {
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return null;
}

/**
 * Every file and folder below `dir`, in a stable order (real entries sorted, then the links sorted), as the walk finds
 * them. `shown` names the folder in errors. Throws a DataError naming `dir` when it is missing or not a folder, and
 * naming a sub-folder that cannot be read.
 */
export async function* walkFolder(dir: string, shown = dir): AsyncGenerator<WalkEntry> {
  let root: string;
  try {
    root = await realpath(dir);
  } catch (err) {
    const code = codeOf(err);
    throw new DataError(shown, code === 'ENOENT' ? 'folder does not exist' : `cannot open folder (${code})`);
  }
  if (!(await stat(root)).isDirectory()) throw new DataError(shown, 'not a folder (it is a file)');

  const describe = (real: string): string =>
    real === root
      ? 'the chosen folder itself'
      : real.startsWith(root + sep)
        ? relative(root, real).split(sep).join('/')
        : real;
  // Folders read so far by device and inode (a bind mount or a hard-linked folder is the same folder), and files by
  // real path (a file's real path is its folder's real path + its name).
  const seenFolders = new Set<string>();
  const seenFiles = new Set<string>();
  // Each queued link keeps the real paths of the folders it sits in (its chain): a link to one of them, or to a
  // folder above one of them, would lead back to itself.
  const links: { path: string; abs: string; chain: readonly string[] }[] = [];
  // Links that resolve to themselves (a -> b -> a): the loop's members, so it is reported at its first link only.
  const reportedLoops = new Set<string>();
  const folderKey = (info: Stats): string => `${info.dev}:${info.ino}`;

  /** Walks the real folder `real` (listed as `rel`), yielding its entries and queueing its links. */
  async function* walk(real: string, rel: string, above: readonly string[]): AsyncGenerator<WalkEntry> {
    const key = folderKey(await stat(real));
    if (seenFolders.has(key))
      return yield { path: rel, refused: 'the same folder as one already read (a mount or a link); not read twice' };
    seenFolders.add(key);
    const chain = [...above, real];
    const items: Dirent[] = [];
    try {
      // opendir streams the folder: a folder of 50,000 files is read in batches, not as one array of names first.
      for await (const item of await opendir(real)) items.push(item);
    } catch (err) {
      throw new DataError(rel === '' ? shown : `${shown}/${rel}`, `cannot read folder (${codeOf(err)})`);
    }
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const item of items) {
      const path = rel === '' ? item.name : `${rel}/${item.name}`;
      const abs = join(real, item.name);
      if (item.isSymbolicLink()) links.push({ path, abs, chain });
      else if (item.isFile()) {
        seenFiles.add(abs);
        yield { path };
      } else if (item.isDirectory()) {
        yield { path: `${path}/` };
        if (folderSkipReason(item.name) === null) yield* walk(abs, path, chain);
      } else {
        const info = await lstat(abs).catch(() => null);
        yield { path, refused: `not a regular file (${(info && specialKind(info)) ?? 'unknown kind'}); not read` };
      }
    }
  }

  yield* walk(root, '', []);
  // Links last, in the order found; following one may queue more (links inside the folder it leads to).
  for (let i = 0; i < links.length; i++) yield* followLink(links[i]);

  async function* followLink({
    path,
    abs,
    chain,
  }: {
    path: string;
    abs: string;
    chain: readonly string[];
  }): AsyncGenerator<WalkEntry> {
    let target: string;
    let info: Stats;
    try {
      target = await realpath(abs);
      info = await stat(target);
    } catch (err) {
      const code = codeOf(err);
      if (code === 'ELOOP') {
        const members = await linkCycle(abs);
        if (members.some((m) => reportedLoops.has(m))) return;
        for (const m of members) reportedLoops.add(m);
        return yield { path, refused: `${LINK_REASONS.loop} (it leads back to itself); not followed` };
      }
      return yield {
        path,
        refused: `${LINK_REASONS.broken} (${code === 'ENOENT' ? 'its target does not exist' : code}); not followed`,
      };
    }
    if (info.isDirectory()) {
      const holder = chain.find((c) => c === target || c.startsWith(target.endsWith(sep) ? target : target + sep));
      if (holder !== undefined) {
        const where = holder === target ? 'a folder that holds it' : 'a folder above it';
        return yield {
          path,
          refused: `${LINK_REASONS.loop} (it leads back to ${describe(target)}, ${where}); not followed`,
        };
      }
      if (seenFolders.has(folderKey(info)))
        return yield { path, refused: `${LINK_REASONS.seenFolder} (${describe(target)}); not followed` };
      yield { path: `${path}/` };
      if (folderSkipReason(path.split('/').pop()!) === null) yield* walk(target, path, chain);
      return;
    }
    if (!info.isFile())
      return yield { path, refused: `not a regular file (${specialKind(info) ?? 'unknown kind'}); not read` };
    if (seenFiles.has(target))
      return yield { path, refused: `${LINK_REASONS.seenFile} (${describe(target)}); not loaded twice` };
    seenFiles.add(target);
    yield { path };
  }
}

/** The absolute paths of the links of a cycle (a -> b -> a) that `abs` starts, as far as 40 hops (Linux's limit). */
async function linkCycle(abs: string): Promise<string[]> {
  const members: string[] = [];
  let at = abs;
  for (let hop = 0; hop < 40 && !members.includes(at); hop++) {
    members.push(at);
    const next = await readlink(at).catch(() => null);
    if (next === null) break;
    at = resolvePath(dirname(at), next);
  }
  return members;
}
