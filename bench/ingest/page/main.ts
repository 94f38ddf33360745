/**
 * The ingestion bench and browser-test page: runs the browser pipeline (src/lab/data/browser) on what was put into
 * one of its file inputs, with the worker pool or the single-threaded decoder, and returns timings, the summary and,
 * on request, the stored pixels of every image. Driven from Node through `window.ingestLab.run`.
 */
import {
  createInlineDecoder,
  createWorkerDecoder,
  ingestPicked,
  pickFromFileList,
} from '../../../src/lab/data/browser';
import type { DatasetSummary } from '../../../src/lab/data/summary';
import type { ResizeMode } from '../../../src/lab/data/resize';

export interface PageRunOptions {
  /** Which input holds the data: 'folder' (webkitdirectory) or 'file' (a zip). */
  readonly input: 'folder' | 'file';
  /** 0: decode on the page's thread; n ≥ 1: a pool of n workers. */
  readonly workers: number;
  readonly size: number;
  readonly channels: 1 | 3;
  readonly mode?: ResizeMode;
  /** Send every stored image back (small data sets only). */
  readonly returnPixels?: boolean;
  /** Cancel after this many decoded images. */
  readonly abortAfter?: number;
}

export interface PageRunResult {
  readonly ms: number;
  readonly decoder: string;
  readonly hardwareConcurrency: number;
  readonly summary: DatasetSummary;
  readonly pixels: Record<string, number[]> | null;
  readonly progressEvents: number;
}

async function run(options: PageRunOptions): Promise<PageRunResult> {
  const input = document.getElementById(options.input) as HTMLInputElement;
  const picked = pickFromFileList(input.files ?? []);
  if (!picked) throw new Error(`the #${options.input} input holds no files`);
  const decoder = options.workers === 0 ? createInlineDecoder() : createWorkerDecoder({ workers: options.workers });
  const controller = new AbortController();
  let progressEvents = 0;
  const started = performance.now();
  try {
    const result = await ingestPicked(picked, {
      decoder,
      format: { size: options.size, channels: options.channels, mode: options.mode },
      signal: controller.signal,
      onProgress: (p) => {
        progressEvents++;
        if (options.abortAfter != null && p.decoded >= options.abortAfter) controller.abort();
      },
    });
    const ms = performance.now() - started;
    let pixels: Record<string, number[]> | null = null;
    if (options.returnPixels && result.images) {
      const set = result.images;
      const per = set.size * set.size * set.channels;
      pixels = Object.fromEntries(
        set.files.map((f, i) => [f, Array.from(set.pixels.subarray(i * per, (i + 1) * per))]),
      );
    }
    return {
      ms,
      decoder: decoder.name,
      hardwareConcurrency: navigator.hardwareConcurrency,
      summary: result.summary,
      pixels,
      progressEvents,
    };
  } finally {
    decoder.close();
  }
}

/**
 * Decode + resize alone: every image file of the folder input read into memory first (not timed), then decoded by
 * the pool or on this thread, keeping the decoder's concurrency in flight.
 */
async function decodeOnly(options: {
  workers: number;
  size: number;
  channels: 1 | 3;
}): Promise<{ ms: number; images: number; failed: number; decoder: string }> {
  const input = document.getElementById('folder') as HTMLInputElement;
  const files = Array.from(input.files ?? []).filter((f) => /\.(jpe?g|png)$/i.test(f.name));
  const buffers = await Promise.all(files.map(async (f) => new Uint8Array(await f.arrayBuffer())));
  const decoder = options.workers === 0 ? createInlineDecoder() : createWorkerDecoder({ workers: options.workers });
  const format = { size: options.size, channels: options.channels };
  let failed = 0;
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < buffers.length; i++) {
    const task: Promise<void> = decoder
      .decode(buffers[i], files[i].name, format)
      .then(
        () => undefined,
        () => void failed++,
      )
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= decoder.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const ms = performance.now() - started;
  decoder.close();
  return { ms, images: buffers.length, failed, decoder: decoder.name };
}

(window as unknown as { ingestLab: { run: typeof run; decodeOnly: typeof decodeOnly } }).ingestLab = {
  run,
  decodeOnly,
};
