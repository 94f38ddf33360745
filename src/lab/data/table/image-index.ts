/**
 * Finds the image a table cell names. A cell may hold a relative path (`CheXpert-v1.0-small/train/patient1/study1/
 * view1_frontal.jpg`, with or without the folder the data was chosen at), a file name (`00000001_000.png`) or a file
 * name without its extension (RSNA's patientId). Images are indexed by whole path and by file name, each with and
 * without the extension (four keys an image: CheXpert's 223,000 images stay small); a path cell is tried whole, then
 * losing leading folders, then under each short folder prefix the images share. A path cell must match a whole path,
 * so a missing study's `view1_frontal.jpg` never matches another study's file of that name.
 */
import { normalisePath } from '../file-kinds';

/** What a cell found: one image (its index into the listed paths), none, or several (the cell is ambiguous). */
export type ImageMatch = { readonly image: number } | { readonly none: true } | { readonly ambiguous: number };

/** Leading folders (up to this depth) tried in front of a path cell, when the data was chosen above the table's root. */
const PREFIX_DEPTH = 2;
/** More distinct prefixes than this are not tried (a flat folder of patient folders would make thousands). */
const MAX_PREFIXES = 64;

export class ImageIndex {
  // key → image index, or -n when n images share the key.
  private readonly byPath = new Map<string, number>();
  private readonly byName = new Map<string, number>();
  private readonly prefixes: string[];

  constructor(readonly paths: readonly string[]) {
    const prefixes = new Set<string>();
    paths.forEach((path, image) => {
      const segments = path.split('/');
      for (const key of withStem(path)) add(this.byPath, key, image);
      for (const key of withStem(segments[segments.length - 1])) add(this.byName, key, image);
      for (let d = 1; d <= PREFIX_DEPTH && d < segments.length; d++) prefixes.add(`${segments.slice(0, d).join('/')}/`);
    });
    this.prefixes = prefixes.size <= MAX_PREFIXES ? [...prefixes] : [];
  }

  /** The image a cell names. */
  find(cell: string): ImageMatch {
    const segments = normalisePath(cell.trim()).split('/').filter(Boolean);
    if (segments.length === 0) return { none: true };
    if (segments.length === 1) return found(this.byName.get(segments[0]));
    for (let from = 0; from < segments.length; from++) {
      const at = this.byPath.get(segments.slice(from).join('/'));
      if (at !== undefined) return found(at);
    }
    const whole = segments.join('/');
    for (const prefix of this.prefixes) {
      const at = this.byPath.get(prefix + whole);
      if (at !== undefined) return found(at);
    }
    return { none: true };
  }
}

function found(at: number | undefined): ImageMatch {
  return at === undefined ? { none: true } : at >= 0 ? { image: at } : { ambiguous: -at };
}

/** `a/b.png` → [`a/b.png`, `a/b`]. */
function withStem(path: string): string[] {
  const stem = path.replace(/\.[^./]+$/, '');
  return stem !== path && stem !== '' && !stem.endsWith('/') ? [path, stem] : [path];
}

function add(map: Map<string, number>, key: string, image: number): void {
  const at = map.get(key);
  if (at === undefined) map.set(key, image);
  else if (at !== image) map.set(key, at >= 0 ? -2 : at - 1);
}
