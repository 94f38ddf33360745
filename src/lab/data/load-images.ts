import type { DecodedSquare, ImageDecoder, StoreFormat } from './decoder';
import { contentKey } from './duplicates';
import { DataError } from './errors';
import { readImageHeader, sniffFormat, type ImageFormat } from './image-header';
import { imageBytes } from './image-set';
import type { LayoutEntry, SkippedFile } from './layout';
import type { DataSource } from './source';

/** What is known of each loaded image, by its position in the entry list. */
export interface LoadedInfo {
  readonly width: number;
  readonly height: number;
  readonly format: ImageFormat;
  /** contentKey of the file's bytes, for duplicate groups. */
  readonly key: string;
  /** DICOM: a one-way key of its Patient ID (see read-dicom.ts). */
  readonly patientKey?: string;
}

/** The outcome of loadImages: images stored in entry order, holes closed. */
export interface LoadedImages {
  /** count × size² × channels bytes (null when only scanning); may be a view of a larger buffer. */
  readonly pixels: Uint8Array | null;
  /** Positions in `entries` of the loaded images, ascending; pixel block k holds entries[loaded[k]]. */
  readonly loaded: number[];
  readonly info: ReadonlyMap<number, LoadedInfo>;
  /** Files that could not be read or decoded, with the reason. */
  readonly skipped: SkippedFile[];
  readonly bytesRead: number;
  readonly aborted: boolean;
}

export interface LoadImagesOptions {
  /** null: only read the bytes and check each header (a scan). */
  readonly decoder: ImageDecoder | null;
  readonly format: StoreFormat;
  readonly signal?: AbortSignal;
  /** After each file: images done (decoded or failed) so far, how many failed, bytes read. */
  readonly onFile?: (done: number, failed: number, bytesRead: number) => void;
}

const reasonOf = (err: unknown): string =>
  err instanceof DataError ? err.problem : `cannot read file (${err instanceof Error ? err.message : String(err)})`;

/**
 * Reads `entries` from `source` in the source's order, hashes each file, and decodes it (keeping up to the decoder's
 * concurrency in flight), storing image i at block i of one buffer allocated up front. When cancelled, no new file
 * is started, the decodes in flight finish, and the result covers exactly the images completed: pixels, positions
 * and info agree. Unreadable files are listed, never fatal.
 */
export async function loadImages(
  source: DataSource,
  entries: readonly LayoutEntry[],
  options: LoadImagesOptions,
): Promise<LoadedImages> {
  const { decoder, format, signal, onFile } = options;
  const per = imageBytes(format.size, format.channels);
  const store = decoder ? new Uint8Array(entries.length * per) : null;
  const slotOf = new Map(entries.map((e, i) => [e.path, i]));
  const info = new Map<number, LoadedInfo>();
  const failures = new Map<number, string>();
  const inFlight = new Set<Promise<void>>();
  let bytesRead = 0;
  let aborted = false;
  const tick = (): void => onFile?.(info.size + failures.size, failures.size, bytesRead);

  for await (const entry of source.open(entries.map((e) => e.path))) {
    if (signal?.aborted) {
      aborted = true;
      break;
    }
    const slot = slotOf.get(entry.path);
    if (slot === undefined || info.has(slot) || failures.has(slot)) continue; // a name twice in one archive: first wins
    let bytes: Uint8Array;
    try {
      bytes = await entry.read();
    } catch (err) {
      failures.set(slot, reasonOf(err));
      tick();
      continue;
    }
    bytesRead += bytes.length;
    const key = contentKey(bytes);
    const fileFormat = sniffFormat(bytes);
    if (!decoder) {
      try {
        const header = readImageHeader(bytes, entry.path);
        const { width, height, format: kind, patientKey } = header;
        info.set(slot, { width, height, format: kind, key, patientKey });
      } catch (err) {
        failures.set(slot, reasonOf(err));
      }
      tick();
      continue;
    }
    const done = (image: DecodedSquare): void => {
      store!.set(image.pixels, slot * per);
      const { width, height, patientKey } = image;
      info.set(slot, { width, height, format: fileFormat ?? 'jpeg', key, patientKey });
    };
    const task = decoder
      .decode(bytes, entry.path, format)
      .then(done, (err: unknown) => void failures.set(slot, reasonOf(err)))
      .finally(() => {
        inFlight.delete(task);
        tick();
      });
    inFlight.add(task);
    if (inFlight.size >= decoder.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (!aborted && signal?.aborted) aborted = true;

  // Entries the source did not yield (a file deleted meanwhile) are failures too, unless loading was cancelled.
  const skipped: SkippedFile[] = [];
  entries.forEach((e, i) => {
    const reason = failures.get(i) ?? (!info.has(i) && !aborted ? 'listed, but not found when reading' : null);
    if (reason) skipped.push({ path: e.path, reason });
  });
  const loaded = [...info.keys()].sort((a, b) => a - b);
  // Close the holes left by failed or never-started files, moving blocks forward (k ≤ slot, so nothing is overwritten).
  if (store) loaded.forEach((slot, k) => k !== slot && store.copyWithin(k * per, slot * per, (slot + 1) * per));
  return { pixels: store ? store.subarray(0, loaded.length * per) : null, loaded, info, skipped, bytesRead, aborted };
}

/**
 * The same result without the images whose entry position `drop` selects (files left out after loading, such as
 * label conflicts): their pixel blocks are closed up in place and their info removed; bytes read stay counted.
 */
export function withoutImages(
  result: LoadedImages,
  drop: (slot: number) => boolean,
  bytesPerImage: number,
): LoadedImages {
  const loaded = result.loaded.filter((slot) => !drop(slot));
  if (loaded.length === result.loaded.length) return result;
  const info = new Map([...result.info].filter(([slot]) => !drop(slot)));
  const pixels = result.pixels;
  if (pixels) {
    // Block k of the result holds result.loaded[k]; move the kept ones forward (the target never passes the source).
    let to = 0;
    result.loaded.forEach((slot, k) => {
      if (drop(slot)) return;
      if (to !== k) pixels.copyWithin(to * bytesPerImage, k * bytesPerImage, (k + 1) * bytesPerImage);
      to++;
    });
  }
  return { ...result, loaded, info, pixels: pixels ? pixels.subarray(0, loaded.length * bytesPerImage) : null };
}
