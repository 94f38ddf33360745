/**
 * Browser-side ingestion for the page and its workers: turn a FileList, a drop or a directory handle into a
 * cloneable `Picked`, make it a DataSource, and run the shared pipeline with a pool of decode workers. Framework-free.
 *
 *   // main thread, inside the drop handler (before any await):
 *   const picked = await pickFromDataTransfer(event.dataTransfer);   // or pickFromFileList(input.files)
 *   // here or in a worker after postMessage(picked):
 *   const result = await ingestPicked(picked, { format: { size: 224, channels: 1 }, onProgress, signal });
 */
import type { ImageDecoder } from '../decoder';
import { ingest, type IngestOptions, type IngestResult } from '../pipeline';
import { createWorkerDecoder } from './decoder-pool';
import { sourceOfPicked, type Picked } from './picked';

export { blobZipSource, isZipFile, pickFromFileList, sourceOfPicked } from './picked';
export type { Picked, PickedFile } from './picked';
export { pickFromDataTransfer, pickFromDirectoryHandle, pickFromEntries } from './drop';
export type { DirectoryHandleLike, EntryLike } from './drop';
export { createInlineDecoder, createWorkerDecoder, defaultWorkerCount } from './decoder-pool';
export { decodeInBrowser, decodeJpegWithWebCodecs } from './browser-decode';

/** Options of ingestPicked: the pipeline's, with the decoder optional (default: a worker pool, closed at the end). */
export interface BrowserIngestOptions extends Omit<IngestOptions, 'decoder'> {
  /** A decoder to use (kept open), or null to only scan; default a fresh worker pool. */
  readonly decoder?: ImageDecoder | null;
  /** Pool size when the pool is made here; default navigator.hardwareConcurrency. */
  readonly workers?: number;
}

/**
 * A memory budget for the uint8 store in a tab: a quarter of the device memory the browser reports
 * (navigator.deviceMemory, capped at 8 GB by browsers), at least 1 GiB and at most 2 GiB, leaving room for the
 * models and their tensors.
 */
export function defaultBrowserMemoryLimit(): number {
  const gb = (typeof navigator !== 'undefined' && (navigator as { deviceMemory?: number }).deviceMemory) || 4;
  return Math.min(2 ** 31, Math.max(2 ** 30, (gb * 2 ** 30) / 4));
}

/** Runs the pipeline on what the user picked; see the module comment. */
export async function ingestPicked(picked: Picked, options: BrowserIngestOptions = {}): Promise<IngestResult> {
  const own = options.decoder === undefined ? createWorkerDecoder({ workers: options.workers }) : null;
  try {
    return await ingest(sourceOfPicked(picked), {
      memoryLimitBytes: defaultBrowserMemoryLimit(),
      ...options,
      decoder: own ?? options.decoder ?? null,
    });
  } finally {
    own?.close();
  }
}
