/**
 * Finds the image a table cell names. A cell may hold a relative path (`CheXpert-v1.0-small/train/patient1/study1/
 * view1_frontal.jpg`, with or without the folder the data was chosen at), a file name (`00000001_000.png`) or a file
 * name without its extension (RSNA's patientId): every image is indexed by each tail of its path, with and without
 * the extension; a cell that is not found loses leading folders one at a time, but must then name an image's whole
 * path (so a missing study's `view1_frontal.jpg` never matches another study's file of that name).
 */
import { normalisePath } from '../file-kinds';

/** What a cell found: one image (its index into the listed paths), none, or several (the cell is ambiguous). */
export type ImageMatch = { readonly image: number } | { readonly none: true } | { readonly ambiguous: number };

export class ImageIndex {
  // key → image index, or -n when n images share the key.
  private readonly byKey = new Map<string, number>();
  // Whole paths (and whole paths without the extension) only.
  private readonly byPath = new Map<string, number>();

  constructor(readonly paths: readonly string[]) {
    paths.forEach((path, image) => {
      const segments = path.split('/');
      for (let from = 0; from < segments.length; from++) {
        const tail = segments.slice(from).join('/');
        const stem = tail.replace(/\.[^./]+$/, '');
        for (const key of stem !== tail && !stem.endsWith('/') ? [tail, stem] : [tail]) {
          add(this.byKey, key, image);
          if (from === 0) add(this.byPath, key, image);
        }
      }
    });
  }


  /** The image a cell names. */
  find(cell: string): ImageMatch {
    const segments = normalisePath(cell.trim()).split('/').filter(Boolean);
    for (let from = 0; from < segments.length; from++) {
      const at = (from === 0 ? this.byKey : this.byPath).get(segments.slice(from).join('/'));
      if (at === undefined) continue;
      return at >= 0 ? { image: at } : { ambiguous: -at };
    }
    return { none: true };
  }
}

function add(map: Map<string, number>, key: string, image: number): void {
  const at = map.get(key);
  if (at === undefined) map.set(key, image);
  else if (at !== image) map.set(key, at >= 0 ? -2 : at - 1);
}
