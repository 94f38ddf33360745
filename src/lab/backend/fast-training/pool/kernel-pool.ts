/**
 * A pool of threads for the lab's own wasm kernels (XNNPACK has its own pool; the filter gradient, reductions and
 * element-wise kernels written in simd/ run here). It exists where tfjs's wasm memory is shared (the threaded
 * build: Node, cross-origin-isolated pages) and wasm runs on more than one thread.
 *
 * A job is a compiled module's `run` called for chunks 0…n−1 with arguments base + chunk·stride. The caller fixes
 * the chunks from the problem alone (never from the thread count) and keeps chunk results apart, summing them in
 * chunk order: so results are the same with any number of threads, bit for bit. The main thread takes chunks too
 * and waits for the rest; a worker that has not received a module yet takes none (the first call of a new kernel
 * may run on the main thread alone).
 */
import { CHUNK_BITS, CLOSED, CONTROL, MAX_ARGS, POOL_WORKER_SOURCE, TAG_MASK } from './pool-worker-source';

/** One pooled call: export `exportName` (default 'run') for chunk c with args[i] = base[i] + c·stride[i] (i32). */
export interface ChunkJob {
  module: WebAssembly.Module;
  exportName?: string;
  base: readonly number[];
  stride: readonly number[];
  chunks: number;
}

/** The minimal Worker surface shared by worker_threads and browser workers. */
interface PoolWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Starts one worker from POOL_WORKER_SOURCE; the Node half is injected (see setPoolWorkerFactory). */
type WorkerFactory = (source: string) => PoolWorker;

let nodeFactory: WorkerFactory | null = null;

/** Node entry points install worker_threads here (pool-node.ts); pages use blob: workers without it. */
export function setPoolWorkerFactory(factory: WorkerFactory | null): void {
  nodeFactory = factory;
}

function browserFactory(): WorkerFactory | null {
  const g = globalThis as unknown as { Worker?: new (url: string) => PoolWorker; Blob?: typeof Blob; URL?: typeof URL };
  if (g.Worker == null || g.Blob == null || g.URL?.createObjectURL == null) return null;
  return (source) => {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    return new g.Worker!(url);
  };
}

/** True where this thread may block in Atomics.wait (not a page's main thread). */
function canBlock(): boolean {
  const g = globalThis as unknown as { window?: unknown; document?: unknown };
  return !(g.window != null && g.document != null);
}

export class KernelPool {
  private readonly control: Int32Array;
  private readonly moduleIds = new WeakMap<WebAssembly.Module, number>();
  private readonly instances = new WeakMap<WebAssembly.Module, WebAssembly.Exports>();
  private nextModuleId = 1;
  private seq = 0;

  private constructor(
    readonly memory: WebAssembly.Memory,
    private readonly workers: PoolWorker[],
  ) {
    this.control = new Int32Array(new SharedArrayBuffer((CONTROL.ARGS + 2 * MAX_ARGS) * 4));
    for (const w of workers) w.postMessage({ type: 'init', control: this.control.buffer, memory });
  }

  /** A pool of `threads − 1` workers (the caller is the other thread); null when it cannot exist here. */
  static create(memory: WebAssembly.Memory, threads: number): KernelPool | null {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const factory = nodeFactory ?? browserFactory();
    const waitAsync = (Atomics as unknown as { waitAsync?: unknown }).waitAsync;
    if (!shared || threads < 2 || factory == null || typeof waitAsync !== 'function') return null;
    try {
      return new KernelPool(
        memory,
        Array.from({ length: threads - 1 }, () => factory(POOL_WORKER_SOURCE)),
      );
    } catch {
      return null;
    }
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Threads able to take chunks now: this one and every worker that has received its memory. */
  get readyThreads(): number {
    return Atomics.load(this.control, CONTROL.READY) + 1;
  }

  /** The module's export `name`, instantiated on this thread (cached). */
  private runOf(module: WebAssembly.Module, name: string): (...args: number[]) => void {
    let exports = this.instances.get(module);
    if (exports == null) {
      exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports;
      this.instances.set(module, exports);
    }
    return exports[name] as (...args: number[]) => void;
  }

  private idOf(module: WebAssembly.Module): number {
    let id = this.moduleIds.get(module);
    if (id == null) {
      id = this.nextModuleId++;
      this.moduleIds.set(module, id);
      for (const w of this.workers) w.postMessage({ type: 'module', id, module });
    }
    return id;
  }

  /** Runs every chunk of `job` (on all threads) and returns when the last one is done. */
  run(job: ChunkJob): void {
    const { base, stride, chunks } = job;
    if (base.length !== stride.length || base.length > MAX_ARGS) throw new Error('KernelPool: bad argument lists');
    if (chunks >= CLOSED) throw new Error('KernelPool: too many chunks');
    const c = this.control;
    const name = job.exportName ?? 'run';
    const run = this.runOf(job.module, name);
    const index = WebAssembly.Module.exports(job.module).findIndex((e) => e.name === name);
    if (index < 0) throw new Error(`KernelPool: the module has no export '${name}'`);
    // Closed before the parameters change: a worker still waking for the last job must not claim under them.
    Atomics.store(c, CONTROL.CLAIM, (this.seq << CHUNK_BITS) | CLOSED);
    Atomics.store(c, CONTROL.MODULE, this.idOf(job.module));
    Atomics.store(c, CONTROL.EXPORT, index);
    Atomics.store(c, CONTROL.NARGS, base.length);
    base.forEach((b, i) => {
      Atomics.store(c, CONTROL.ARGS + 2 * i, b);
      Atomics.store(c, CONTROL.ARGS + 2 * i + 1, stride[i]);
    });
    Atomics.store(c, CONTROL.TOTAL, chunks);
    Atomics.store(c, CONTROL.DONE, 0);
    this.seq = (this.seq + 1) & TAG_MASK;
    const tag = this.seq << CHUNK_BITS;
    Atomics.store(c, CONTROL.CLAIM, tag);
    Atomics.store(c, CONTROL.SEQ, this.seq);
    Atomics.notify(c, CONTROL.SEQ);
    const args = new Array<number>(base.length);
    // A chunk that throws here, as on a worker, still counts as done: the job ends whole before anything is thrown,
    // so no worker is left running it while the next job's parameters are written.
    let failure: unknown = null;
    for (;;) {
      const w = Atomics.load(c, CONTROL.CLAIM);
      const chunk = w & CLOSED;
      if (chunk >= chunks) break;
      if (Atomics.compareExchange(c, CONTROL.CLAIM, w, w + 1) !== w) continue;
      for (let k = 0; k < base.length; k++) args[k] = (base[k] + chunk * stride[k]) | 0;
      try {
        run(...args);
      } catch (error) {
        failure ??= error;
      }
      Atomics.add(c, CONTROL.DONE, 1);
    }
    const block = canBlock();
    for (let done = Atomics.load(c, CONTROL.DONE); done < chunks; done = Atomics.load(c, CONTROL.DONE)) {
      if (block) Atomics.wait(c, CONTROL.DONE, done, 20);
    }
    if (Atomics.exchange(c, CONTROL.FAILED, 0) !== 0)
      failure ??= new Error('KernelPool: a chunk failed on a worker thread');
    if (failure != null) throw failure;
  }

  /** Stops the workers. */
  dispose(): void {
    for (const w of this.workers) w.terminate();
  }
}

const pools = new WeakMap<WebAssembly.Memory, KernelPool | null>();
let poolThreads = 1;

/** Sets how many threads pools use from now on (the wasm backend's thread count). */
export function setKernelPoolThreads(threads: number): void {
  poolThreads = Math.max(1, Math.floor(threads));
}

/** The pool for `memory` (made on first use), or null: run the chunks on this thread in order instead. */
export function kernelPoolFor(memory: WebAssembly.Memory): KernelPool | null {
  if (!pools.has(memory)) pools.set(memory, poolThreads > 1 ? KernelPool.create(memory, poolThreads) : null);
  return pools.get(memory) ?? null;
}

/**
 * Makes the pool for `memory` now and waits (at most `timeoutMs`) until its workers run. A worker starts only once
 * the thread that made it returns to its event loop (in browsers; Node starts it at once), and a training loop that
 * never does, as a benchmark's may not, would otherwise do every chunk itself. A worker still not running after
 * that takes chunks once it is (until then this thread does them).
 */
export async function startKernelPool(memory: WebAssembly.Memory, timeoutMs = 5_000): Promise<void> {
  const pool = kernelPoolFor(memory);
  if (pool == null) return;
  const deadline = performance.now() + timeoutMs;
  while (pool.readyThreads < pool.threads && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Runs `job` on the pool when there is one, else every chunk here, in order: the same results either way. */
export function runChunks(memory: WebAssembly.Memory, job: ChunkJob, run: (...args: number[]) => void): void {
  const pool = kernelPoolFor(memory);
  if (pool != null && job.chunks > 1) {
    pool.run(job);
    return;
  }
  const args = new Array<number>(job.base.length);
  for (let chunk = 0; chunk < job.chunks; chunk++) {
    for (let k = 0; k < job.base.length; k++) args[k] = (job.base[k] + chunk * job.stride[k]) | 0;
    run(...args);
  }
}
