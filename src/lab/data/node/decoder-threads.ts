import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DecodedSquare, DecodeReply, DecodeRequest, ImageDecoder, StoreFormat } from '../decoder';
import { DataError } from '../errors';
import { createNodeDecoder } from './decode';

/**
 * Node's decoder pool: the same jpeg-js/pngjs + toSquare code in worker threads, bytes in and pixels out as
 * transferred buffers. The threads load the TypeScript sources through tsx, as the CLI does. If a
 * thread cannot start or dies, its files and every later one are decoded on the calling thread instead: a missing
 * loader costs speed, never data.
 */

export interface ThreadDecoderOptions {
  /** Default: the available cores, at most 8. */
  readonly threads?: number;
  /** The thread's entry module (tests point it elsewhere to exercise the fallback). */
  readonly entry?: URL;
}

interface Job {
  readonly bytes: Uint8Array;
  readonly path: string;
  readonly format: StoreFormat;
  readonly thread: number;
  resolve(image: DecodedSquare): void;
  reject(err: Error): void;
}

export function createThreadDecoder(options: ThreadDecoderOptions = {}): ImageDecoder {
  const count = options.threads ?? Math.min(8, availableParallelism());
  const entry = options.entry ?? new URL('./decode-thread.ts', import.meta.url);
  const inline = createNodeDecoder();
  const jobs = new Map<number, Job>();
  const load = new Array<number>(count).fill(0);
  let nextId = 1;
  let broken = false;

  // The thread registers tsx's loader itself (a worker does not inherit the CLI's programmatic registration, and
  // `--import` in execArgv does not reach it), then loads the TypeScript entry.
  // The ES module build of tsx's API (require.resolve finds its CommonJS twin next to it).
  const loader = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  const runInline = (job: Job): void =>
    void inline.decode(job.bytes, job.path, job.format).then(job.resolve, job.reject);
  const threads = Array.from({ length: count }, (_, index) => {
    const thread = new Worker(boot, { eval: true });
    thread.unref(); // an idle pool must not keep the process alive; busy threads are ref'd while they work
    thread.on('message', (reply: DecodeReply) => {
      const job = jobs.get(reply.id);
      if (!job) return;
      jobs.delete(reply.id);
      if (--load[index] === 0) thread.unref();
      if (reply.ok)
        job.resolve({ pixels: reply.pixels, width: reply.width, height: reply.height, patientKey: reply.patientKey });
      else job.reject(new DataError(job.path, reply.problem));
    });
    const fail = (): void => {
      broken = true;
      for (const [id, job] of jobs) {
        if (job.thread !== index) continue;
        jobs.delete(id);
        load[index]--;
        runInline(job);
      }
    };
    thread.on('error', fail);
    thread.on('exit', (code) => code !== 0 && fail());
    return thread;
  });

  return {
    name: `jpeg-js/pngjs/dicom, ${count} worker thread${count === 1 ? '' : 's'}`,
    concurrency: count * 2,
    decode(bytes: Uint8Array, path: string, format: StoreFormat): Promise<DecodedSquare> {
      return new Promise<DecodedSquare>((resolve, reject) => {
        const thread = load.indexOf(Math.min(...load));
        // Transfer a buffer the bytes own whole (a view into a pooled Buffer is copied first); keep a copy for the
        // inline fallback, since a thread that dies takes the transferred bytes with it.
        const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
        const job: Job = { bytes: own.slice(), path, format, thread, resolve, reject };
        if (broken) return runInline(job);
        const id = nextId++;
        jobs.set(id, job);
        if (load[thread]++ === 0) threads[thread].ref();
        const request: DecodeRequest = { id, bytes: own, path, format: { ...format } };
        threads[thread].postMessage(request, [own.buffer as ArrayBuffer]);
      });
    },
    close() {
      for (const thread of threads) void thread.terminate();
      for (const job of jobs.values()) job.reject(new Error('the decoder was closed'));
      jobs.clear();
    },
  };
}

/** The decoder Node commands use: a thread pool for real datasets on several cores, the calling thread otherwise. */
export function createBestNodeDecoder(imageCount: number): ImageDecoder {
  const cores = availableParallelism();
  return cores > 1 && imageCount >= 200 ? createThreadDecoder() : createNodeDecoder();
}
