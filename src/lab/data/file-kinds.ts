/**
 * Which files in a dataset folder or archive are images to load, and why the others are not. Pure string checks on
 * paths, so a folder walk, a zip listing and a browser directory picker all filter the same way.
 */

/** Extensions the loaders decode (compared in lower case). The decoder still checks the bytes. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.dcm', '.dicom'];

/**
 * True for a name that may be a DICOM file without `.dcm`: no extension (`IM000001`, RSNA-style ids), or one of
 * digits only (a UID as the file name, `1.2.840.113619.2.5`). Such files are read and kept only when their bytes
 * hold the DICOM preamble.
 */
export function mayBeDicom(path: string): boolean {
  const ext = extensionOf(path);
  return ext === '' || /^\.\d+$/.test(ext);
}

/** Archives found inside a dataset: not opened (one archive is read, never one inside another). */
const ARCHIVE_EXTENSIONS: readonly string[] = ['.zip', '.tar', '.gz', '.tgz', '.7z', '.rar'];

/** Why an archive inside the dataset is skipped; constant, so layout errors and the summary can recognise it. */
export const ARCHIVE_REASON = 'an archive inside the dataset: not opened (unpack it, or choose it on its own)';

/** `a\b/./c` → `a/b/c`: forward slashes, no leading `./` or `/`, no empty segments. Keeps a trailing `/` (a folder). */
export function normalisePath(path: string): string {
  const isDir = /[\\/]$/.test(path);
  const segments = path.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  const joined = segments.join('/');
  return isDir && joined !== '' ? `${joined}/` : joined;
}

/** The last segment of a path (file or folder name), without a trailing slash. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return trimmed.slice(cut + 1);
}

/** Lower-case extension with its dot (`.jpeg`), or '' when the name has none. */
export function extensionOf(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/**
 * Why a folder should be ignored as a whole (`__MACOSX`, a hidden `.git` or `.ipynb_checkpoints`), or null when it
 * may hold data. Checks every segment of the path, so anything below a junk folder is junk too.
 */
export function folderSkipReason(folderPath: string): string | null {
  for (const segment of normalisePath(folderPath).split('/')) {
    if (segment === '') continue;
    if (segment.toLowerCase() === '__macosx') return 'macOS archive metadata (__MACOSX folder)';
    if (segment.startsWith('.')) return `hidden folder (${segment})`;
  }
  return null;
}

/** The folder part of a file path ('' for a file at the root). */
export function dirName(path: string): string {
  const normal = normalisePath(path).replace(/\/$/, '');
  const cut = normal.lastIndexOf('/');
  return cut < 0 ? '' : normal.slice(0, cut);
}

/**
 * Why a file is not an image to load (`.DS_Store`, a `._` resource fork, a `.txt`, anything in a junk folder), or
 * null when it should be decoded. The reason is one short line meant for the user.
 */
export function skipReason(path: string): string | null {
  const folder = folderSkipReason(dirName(path));
  if (folder) return folder;
  const name = baseName(path);
  if (name === '.DS_Store') return 'macOS folder settings (.DS_Store)';
  if (name.startsWith('._')) return 'macOS resource fork (._ file)';
  if (name === 'Thumbs.db' || name === 'desktop.ini') return 'Windows folder settings';
  const ext = extensionOf(name);
  if (ARCHIVE_EXTENSIONS.includes(ext)) return ARCHIVE_REASON;
  if (!IMAGE_EXTENSIONS.includes(ext) && !mayBeDicom(name)) {
    return `not an image extension (${ext}); expected .jpg, .jpeg, .png or .dcm`;
  }
  return null;
}
