/**
 * How the lab's pooled kernels cut a batch: into equal chunks of whole images, their number from the batch size
 * alone, so the thread count never changes how work (or a sum) is split.
 */

/** The most chunks a batch is cut into: enough for 8 threads, few enough to keep per-chunk totals small. */
export const CHUNKS_MAX = 8;

/** Chunks for a batch: its largest divisor not above CHUNKS_MAX (equal chunks; the thread count plays no part). */
export function batchChunks(batch: number): number {
  for (let c = Math.min(CHUNKS_MAX, batch); c > 1; c--) if (batch % c === 0) return c;
  return 1;
}
