import { DataError } from './errors';
import type { TableReport } from './table/table-report';
import { ARCHIVE_REASON, dirName, folderSkipReason, normalisePath, skipReason } from './file-kinds';

/** The study's three splits; folder names match in any letter case (`Train/`, `VAL/`). */
export type SplitName = 'train' | 'val' | 'test';
/** The split folder names, in the order reports list them. */
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

/** One image to load: where it is, and the class its folder names. */
export interface LayoutEntry {
  /** Path relative to the scanned root, with `/` separators (as given, prefix included). */
  readonly path: string;
  readonly className: string;
  /** Index into `classNames`. */
  readonly label: number;
  /** Present only in a split layout. */
  readonly split?: SplitName;
  /** The patient's key from a label table (a salted hash, never the id); absent: read from the file name. */
  readonly patient?: string;
}

/** A file that will not be loaded, and why (one line, for the user). */
export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

/** What detectLayout found: the classes, the images to load and the files it left out. */
export interface Layout {
  /** Class folder names, sorted (code-unit order, so NORMAL = 0, PNEUMONIA = 1). */
  readonly classNames: string[];
  /** Sorted by path. */
  readonly entries: LayoutEntry[];
  readonly skipped: SkippedFile[];
  /** True when the images sit in train/, val/, test/ folders. */
  readonly hasSplits: boolean;
  /** Wrapper folders stripped before the layout was read (`chest_xray/`), '' when none. */
  readonly prefix: string;
  /**
   * A nested second copy of the tree (the Kaggle archive's `chest_xray/chest_xray/`), '' when none. Its files that
   * repeat a main-tree path are skipped with NESTED_COPY_REASON; any it alone holds are loaded.
   */
  readonly nestedCopy: string;
  /** Present when a label table gave the classes (table/table-layout.ts): its identity and what it dropped. */
  readonly table?: TableReport;
}

/** Why a file of a nested copy is skipped: the same path exists in the main tree. Constant, so reports can group it. */
export const NESTED_COPY_REASON = 'nested copy of the main folders (as in the Kaggle archive): counted once';

/** Options of detectLayout. */
export interface DetectLayoutOptions {
  /** How to name the scanned root in error messages (a folder path or an archive name). Default '.'. */
  readonly root?: string;
}

const EXPECTED_TREE = [
  'Expected one folder per class (any names, at least 2 classes):',
  '  <folder>/',
  '  ├── NORMAL/       *.jpeg *.jpg *.png *.dcm',
  '  └── PNEUMONIA/    *.jpeg *.jpg *.png *.dcm',
  'or split folders that each hold the class folders:',
  '  <folder>/',
  '  ├── train/{NORMAL,PNEUMONIA}/',
  '  ├── val/{NORMAL,PNEUMONIA}/',
  '  └── test/{NORMAL,PNEUMONIA}/',
].join('\n');

const isSplit = (segment: string): boolean => (SPLIT_NAMES as readonly string[]).includes(segment.toLowerCase());

function joinPath(root: string, rel: string): string {
  const base = root.replace(/[\\/]+$/, '');
  if (rel === '') return root;
  return base === '' || base === '.' ? rel : `${base}/${rel}`;
}

/**
 * Reads the dataset layout from a list of relative paths (files, and optionally folders written with a trailing
 * `/`, which is how empty class folders become visible). Skips clutter and non-images, listing each with a reason.
 * Images in sub-folders of a class folder count for that class. Throws a DataError when there are no class folders, only one class, or a class folder without images.
 */
export function detectLayout(paths: readonly string[], options: DetectLayoutOptions = {}): Layout {
  const root = options.root ?? '.';
  const skipped: SkippedFile[] = [];
  const images: string[][] = [];
  const folders: string[][] = [];
  for (const raw of paths) {
    const path = normalisePath(raw);
    if (path === '') continue;
    const segments = path.split('/').filter(Boolean);
    if (path.endsWith('/')) {
      // Report a junk folder once (a folder walk does not descend into it); folders inside it stay silent.
      const junk = folderSkipReason(path);
      if (junk && folderSkipReason(dirName(path)) === null) skipped.push({ path, reason: junk });
      else if (!junk) folders.push(segments);
      continue;
    }
    const reason = skipReason(path);
    if (reason) skipped.push({ path, reason });
    else images.push(segments);
    // Any file proves its folders exist, so a class folder holding only a .txt is still seen as empty.
    if (folderSkipReason(dirName(path)) === null) folders.push(segments.slice(0, -1));
  }

  // Strip wrapper folders (an archive's `chest_xray/`) while every image shares them and still sits two levels down.
  const prefix: string[] = [];
  while (images.length > 0) {
    const first = images[0][prefix.length];
    const all = images.every((s) => s.length - prefix.length >= 3 && s[prefix.length] === first);
    if (!all || isSplit(first)) break;
    prefix.push(first);
  }
  const depth = prefix.length;
  const under = (s: string[]): boolean => prefix.every((p, i) => s[i] === p);
  const hasSplits = images.some((s) => under(s) && s.length - depth >= 3 && isSplit(s[depth]));
  const nested = nestedCopyName(images, depth, hasSplits, prefix[prefix.length - 1]);

  // Class folders, keyed by their path below the prefix (`NORMAL` or `train/NORMAL`), each with its image count.
  const classFolders = new Map<string, number>();
  const noteFolder = (s: string[]): void => {
    if (!under(s)) return;
    const rel = s.slice(depth);
    const need = hasSplits ? 2 : 1;
    if (rel.length < need || (hasSplits && !isSplit(rel[0])) || rel[0] === nested) return;
    const key = rel.slice(0, need).join('/');
    if (!classFolders.has(key)) classFolders.set(key, 0);
  };
  for (const f of folders) noteFolder(f);

  const imagePaths = new Set(images.map((s) => s.join('/')));
  const found: { path: string; className: string; split?: SplitName }[] = [];
  for (const s of images) {
    const path = s.join('/');
    // Every image shares the prefix, so `rel` is the path below it; a nested copy's files read as the main tree's.
    let rel = s.slice(depth);
    if (nested !== null && rel[0] === nested && rel.length >= (hasSplits ? 4 : 3)) {
      if (imagePaths.has([...prefix, ...rel.slice(1)].join('/'))) {
        skipped.push({ path, reason: NESTED_COPY_REASON });
        continue;
      }
      rel = rel.slice(1);
    }
    let reason: string | null = null;
    if (hasSplits && !isSplit(rel[0])) reason = 'outside the train/, val/ and test/ folders';
    else if (rel.length < (hasSplits ? 3 : 2)) {
      reason = hasSplits ? `directly in ${rel[0]}/, not inside a class folder` : 'not inside a class folder';
    }
    if (reason) {
      skipped.push({ path, reason });
      continue;
    }
    const className = hasSplits ? rel[1] : rel[0];
    const key = hasSplits ? `${rel[0]}/${rel[1]}` : rel[0];
    classFolders.set(key, (classFolders.get(key) ?? 0) + 1);
    found.push(hasSplits ? { path, className, split: rel[0].toLowerCase() as SplitName } : { path, className });
  }

  const prefixPath = prefix.length > 0 ? `${prefix.join('/')}/` : '';
  if (found.length === 0) {
    // An archive inside the archive (or folder) is the likely reason there is nothing else: name it.
    const archives = skipped.filter((s) => s.reason === ARCHIVE_REASON).map((s) => s.path);
    const inner =
      archives.length === 0
        ? ''
        : `; it holds ${archives.length === 1 ? 'another archive' : `${archives.length} other archives`}, ${archives.slice(0, 3).join(', ')}${archives.length > 3 ? ', …' : ''}, which ${archives.length === 1 ? 'is' : 'are'} not opened: unpack ${archives.length === 1 ? 'it' : 'them'} and choose the result`;
    const problem =
      images.length === 0
        ? `no images (.jpg, .jpeg, .png, .dcm) found${skipped.length > 0 ? ` (${skipped.length} other files skipped)` : ''}${inner}`
        : 'no class folders found (the images are not inside class folders)';
    throw new DataError(root, problem, EXPECTED_TREE);
  }
  const emptyFolders = [...classFolders]
    .filter(([, n]) => n === 0)
    .map(([k]) => k)
    .sort();
  if (emptyFolders.length > 0) {
    const others = emptyFolders.length > 1 ? ` (also empty: ${emptyFolders.slice(1).join(', ')})` : '';
    const folder = prefixPath + emptyFolders[0];
    const archive = skipped.find((s) => s.reason === ARCHIVE_REASON && s.path.startsWith(`${folder}/`));
    const inner = archive ? `; it holds an archive, ${archive.path}, which is not opened: unpack it there` : '';
    throw new DataError(
      joinPath(root, folder),
      `class folder holds no images (.jpg, .jpeg, .png, .dcm)${others}${inner}`,
    );
  }
  const classNames = [...new Set(found.map((f) => f.className))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (classNames.length < 2) {
    throw new DataError(
      joinPath(root, prefixPath),
      `only one class folder (${classNames[0]}); at least 2 classes are needed`,
      EXPECTED_TREE,
    );
  }

  const labelOf = new Map(classNames.map((name, i) => [name, i]));
  const entries: LayoutEntry[] = found
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({ ...f, label: labelOf.get(f.className) as number }));
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const nestedCopy = nested === null ? '' : `${prefixPath}${nested}/`;
  return { classNames, entries, skipped, hasSplits, prefix: prefixPath, nestedCopy };
}

/**
 * The folder below the prefix that holds a second copy of the tree, or null: with split folders, a non-split folder
 * that itself holds split folders (`chest_xray/chest_xray/train/…`); without, a folder named like the wrapper that
 * holds the class folders again (`data/data/NORMAL/…`).
 */
function nestedCopyName(
  images: readonly string[][],
  depth: number,
  hasSplits: boolean,
  wrapper?: string,
): string | null {
  for (const s of images) {
    const rel = s.slice(depth);
    if (hasSplits && rel.length >= 4 && !isSplit(rel[0]) && isSplit(rel[1])) return rel[0];
    if (!hasSplits && wrapper !== undefined && rel.length >= 3 && rel[0] === wrapper) return rel[0];
  }
  return null;
}
