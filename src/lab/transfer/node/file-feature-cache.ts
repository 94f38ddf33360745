/**
 * Node only: a feature cache in a folder (the CLI's `--feature-cache DIR`), so a second `xray-lab compare` over the
 * same images, size and weights skips the backbone pass. One file per entry: a length-prefixed JSON header (the
 * full key, dim, count, class names), then the labels (int32) and the features (float32), little-endian. Written to
 * a temporary name and renamed, so an interrupted run never leaves a truncated entry under a valid name.
 *
 * A cache is a shortcut, never a reason to lose a run: a folder that cannot be written (read-only, full, gone) gives
 * one warning and the run goes on without saving; a file that cannot be read is a miss. Every call has a time limit.
 */
import { readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../data/errors';
import {
  errnoOf,
  explainErrno,
  FolderError,
  makeFolders,
  removeEmptyFolders,
  withTimeLimit,
} from '../../util/node/folders';
import type { FeatureSet } from '../../train/feature-set';
import type { FeatureCache } from '../feature-cache';
import { Fingerprint } from '../../util/fingerprint';

interface Header {
  key: string;
  dim: number;
  count: number;
  classNames: string[];
  shape?: number[];
}

const SUFFIX = '.features';
/** Per file-system call; a cache entry of InceptionV3 features for 5,000 images is ~40 MB. */
const TIMEOUT_MS = 60_000;

export interface FileFeatureCacheOptions {
  /** Where the cache's one-line warnings go; default stderr. */
  readonly onWarning?: (line: string) => void;
  /** Time limit per file-system call; default 60 s. */
  readonly timeoutMs?: number;
}

export class FileFeatureCache implements FeatureCache {
  private readonly warn: (line: string) => void;
  private readonly timeoutMs: number;
  private readonly warned = new Set<string>();
  /** Set once a write failed for a reason that will not pass (read-only, no permission): no more attempts. */
  private noWrites = false;

  constructor(
    private readonly dir: string,
    options: FileFeatureCacheOptions = {},
  ) {
    this.warn = options.onWarning ?? ((line) => void process.stderr.write(`${line}\n`));
    this.timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  }

  /** Stop saving (the folder is known not to take writes); reading goes on. */
  readOnly(): void {
    this.noWrites = true;
  }

  /** One warning per kind of problem, naming the option and the folder. */
  private warnOnce(kind: string, problem: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.warn(`--feature-cache ${this.dir}: ${problem}`);
  }

  private fileOf(key: string): string {
    return join(this.dir, new Fingerprint().update(key).digest() + SUFFIX);
  }

  async get(key: string): Promise<FeatureSet | null> {
    let bytes: Buffer;
    try {
      bytes = await withTimeLimit(readFile(this.fileOf(key)), this.timeoutMs, this.dir, 'reading cached features');
    } catch (err) {
      const code = err instanceof FolderError ? err.code : errnoOf(err);
      if (code !== 'ENOENT')
        this.warnOnce('read', `cannot read cached features (${explainErrno(code)}); computing them again`);
      return null;
    }
    const parsed = decode(new Uint8Array(bytes));
    // A different key under the same file name (a hash collision) or a damaged file is a miss.
    return parsed && parsed.header.key === key ? parsed.set : null;
  }

  /** Saves `set`; a failure is a warning (once), never an error: the run goes on with the features in memory. */
  async put(key: string, set: FeatureSet): Promise<void> {
    if (this.noWrites) return;
    const file = this.fileOf(key);
    const temp = `${file}.${process.pid}.tmp`;
    try {
      await makeFolders(this.dir, this.timeoutMs);
      await withTimeLimit(writeFile(temp, encode(key, set)), this.timeoutMs, this.dir, 'writing features');
      await withTimeLimit(rename(temp, file), this.timeoutMs, this.dir, 'renaming the features file');
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      const code = err instanceof FolderError ? err.code : errnoOf(err);
      const why = err instanceof FolderError ? err.message : explainErrno(code);
      if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT'].includes(code)) this.noWrites = true;
      this.warnOnce(`write-${code}`, `cannot save features (${why}); the run goes on without caching them`);
    }
  }

  async keys(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const keys: string[] = [];
    for (const name of names.filter((n) => n.endsWith(SUFFIX))) {
      const parsed = decode(new Uint8Array(await readFile(join(this.dir, name))));
      if (parsed) keys.push(parsed.header.key);
    }
    return keys;
  }

  async clear(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.endsWith(SUFFIX)).map((n) => rm(join(this.dir, n), { force: true })));
  }
}

/** The file's bytes: a length-prefixed JSON header, the labels (int32), the features (float32), little-endian. */
function encode(key: string, set: FeatureSet): Uint8Array {
  const fields: Header = {
    key,
    dim: set.dim,
    count: set.count,
    classNames: [...set.classNames],
    ...(set.shape ? { shape: [...set.shape] } : {}),
  };
  const header = new TextEncoder().encode(JSON.stringify(fields));
  const out = new Uint8Array(4 + header.length + set.count * 4 + set.features.length * 4);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  const labelsAt = 4 + header.length;
  out.set(new Uint8Array(Int32Array.from(set.labels.subarray(0, set.count)).buffer), labelsAt);
  out.set(
    new Uint8Array(set.features.buffer, set.features.byteOffset, set.features.byteLength),
    labelsAt + set.count * 4,
  );
  return out;
}

/**
 * Checks --feature-cache before any image is decoded: a folder (or one that can be created) is accepted; one that
 * cannot be written (read-only, full) is accepted with a warning, since what it holds can still be read. Throws a
 * DataError naming `--feature-cache DIR` when it is a file, cannot be created, or does not answer in time. Leaves
 * nothing behind. Returns whether new entries can be saved.
 */
export async function checkFeatureCacheDir(
  dir: string,
  timeoutMs = 10_000,
): Promise<{ writable: boolean; problem?: string }> {
  const where = `--feature-cache ${dir}`;
  let created: string[];
  try {
    created = await makeFolders(dir, timeoutMs);
  } catch (err) {
    throw new DataError(where, err instanceof FolderError ? err.message : explainErrno(errnoOf(err)));
  }
  const probe = join(dir, `.xray-lab-probe-${process.pid}`);
  try {
    await withTimeLimit(writeFile(probe, 'probe'), timeoutMs, dir, 'writing a probe file');
    await withTimeLimit(unlink(probe), timeoutMs, dir, 'removing the probe file');
    return { writable: true };
  } catch (err) {
    await rm(probe, { force: true }).catch(() => undefined);
    if (err instanceof FolderError) throw new DataError(where, err.message);
    return { writable: false, problem: explainErrno(errnoOf(err)) };
  } finally {
    await removeEmptyFolders(created);
  }
}

/**
 * The CLI's --feature-cache: checked (checkFeatureCacheDir), then opened with its warnings going to `log`. A folder
 * that cannot be written is used for reading only, and `log` says so once.
 */
export async function openFileFeatureCache(dir: string, log: (line: string) => void): Promise<FileFeatureCache> {
  const { writable, problem } = await checkFeatureCacheDir(dir);
  const cache = new FileFeatureCache(dir, { onWarning: log });
  if (!writable) {
    log(`--feature-cache ${dir}: not writable (${problem}); cached features are read from it, new ones are not saved`);
    cache.readOnly();
  }
  return cache;
}

function decode(bytes: Uint8Array): { header: Header; set: FeatureSet } | null {
  if (bytes.length < 4) return null;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as Header;
  } catch {
    return null;
  }
  const labelsAt = 4 + headerLength;
  const featuresAt = labelsAt + header.count * 4;
  if (bytes.length !== featuresAt + header.count * header.dim * 4) return null;
  // Copies: the file buffer is not guaranteed to be 4-byte aligned.
  const labels = new Int32Array(bytes.slice(labelsAt, featuresAt).buffer);
  const features = new Float32Array(bytes.slice(featuresAt).buffer);
  const set: FeatureSet = {
    features,
    dim: header.dim,
    labels,
    classNames: header.classNames,
    count: header.count,
    ...(header.shape ? { shape: header.shape } : {}),
  };
  return { header, set };
}
