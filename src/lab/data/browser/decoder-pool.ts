import type { DecodedSquare, DecodeReply, DecodeRequest, ImageDecoder, StoreFormat } from '../decoder';
import { DataError } from '../errors';
import { decodeInBrowser } from './browser-decode';

/**
 * Browser decoders for the pipeline: a pool of module workers, each decoding with createImageBitmap and
 * OffscreenCanvas and resizing with toSquare, bytes in and pixels out as transferred buffers; and the same code on
 * the calling thread, one image at a time, as the single-threaded baseline.
 */

/** Workers the pool starts by default: one per logical core (navigator.hardwareConcurrency), 1 to 8. */
export function defaultWorkerCount(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 0;
  return Math.max(1, Math.min(8, cores || 2));
}

export interface WorkerDecoderOptions {
  /** Default defaultWorkerCount(). */
  readonly workers?: number;
  /** Files queued per worker, so a worker never waits for the next one (default 2). */
  readonly perWorker?: number;
}

interface Pending {
  readonly path: string;
  readonly worker: number;
  resolve(image: DecodedSquare): void;
  reject(err: Error): void;
}

/** A pool of decode workers (src/lab/data/browser/decode-worker.ts). close() terminates them. */
export function createWorkerDecoder(options: WorkerDecoderOptions = {}): ImageDecoder {
  const count = options.workers ?? defaultWorkerCount();
  const perWorker = options.perWorker ?? 2;
  const pending = new Map<number, Pending>();
  const load = new Array<number>(count).fill(0);
  let nextId = 1;
  let broken: string | null = null;

  const workers = Array.from({ length: count }, (_, index) => {
    const worker = new Worker(new URL('./decode-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<DecodeReply>) => {
      const reply = event.data;
      const job = pending.get(reply.id);
      if (!job) return;
      pending.delete(reply.id);
      load[job.worker]--;
      // A DICOM's patient key (a salted hash of its Patient ID) travels back for patient-level splits.
      const key = reply.ok && reply.patientKey ? { patientKey: reply.patientKey } : {};
      if (reply.ok) job.resolve({ pixels: reply.pixels, width: reply.width, height: reply.height, ...key });
      else job.reject(new DataError(job.path, reply.problem));
    };
    // A worker that fails to load or crashes fails its files, and the pool refuses further work with the reason.
    worker.onerror = (event: ErrorEvent) => {
      broken = event.message || 'a decode worker failed to start';
      for (const [id, job] of pending) {
        if (job.worker !== index) continue;
        pending.delete(id);
        load[index]--;
        job.reject(new Error(broken));
      }
    };
    return worker;
  });

  return {
    name: `browser decoders (WebCodecs, createImageBitmap), ${count} worker${count === 1 ? '' : 's'}`,
    concurrency: count * perWorker,
    decode(bytes: Uint8Array, path: string, format: StoreFormat): Promise<DecodedSquare> {
      if (broken) return Promise.reject(new Error(broken));
      const worker = load.indexOf(Math.min(...load));
      // Transfer only a buffer the bytes own whole; a view into a larger buffer (a zip chunk) is copied first.
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      const id = nextId++;
      load[worker]++;
      return new Promise<DecodedSquare>((resolve, reject) => {
        pending.set(id, { path, worker, resolve, reject });
        const request: DecodeRequest = { id, bytes: own, path, format: { ...format } };
        workers[worker].postMessage(request, [own.buffer as ArrayBuffer]);
      });
    },
    close() {
      for (const worker of workers) worker.terminate();
      for (const job of pending.values()) job.reject(new Error('the decoder was closed'));
      pending.clear();
    },
  };
}

/** The same decoding on the calling thread, one image at a time: the benchmark's single-threaded baseline. */
export function createInlineDecoder(): ImageDecoder {
  return {
    name: 'browser decoders (WebCodecs, createImageBitmap), calling thread',
    concurrency: 1,
    decode: decodeInBrowser,
    close() {},
  };
}
