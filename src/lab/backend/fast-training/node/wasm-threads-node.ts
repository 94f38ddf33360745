/**
 * Threaded wasm in Node. tfjs 4.22 refuses threads in Node outright (its WASM_HAS_MULTITHREAD_SUPPORT flag says
 * false there), and forcing them fails with ERR_WORKER_PATH: its Emscripten glue starts each pthread worker from a
 * blob: URL, which worker_threads cannot load. Here the glue's `Worker` (it assigns worker_threads' class to
 * `global.Worker`) is replaced by one that starts such workers from pthread-worker.cjs instead, which runs the same
 * worker code from tfjs's package. The lab's own kernel pool gets worker_threads too (pool-node.ts). Node-only;
 * loaded on demand by ../wasm-threads.ts.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import { installNodePoolWorkers } from './pool-node';

const require = createRequire(import.meta.url);

/** Where the bootstrap finds tfjs's pthread worker code and the threaded module factory. */
function workerData(): { workerCode: string; factory: string } {
  return {
    workerCode: require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'),
    factory: require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'),
  };
}

const BOOTSTRAP = fileURLToPath(new URL('./pthread-worker.cjs', import.meta.url));

/** Every pthread worker started, so that none of them keeps the process alive (see `withReportedCores`). */
const pthreads = new Set<NodeWorker>();

/** worker_threads' Worker, except that a blob: URL (tfjs's pthread worker) starts the bootstrap instead. */
class PthreadWorker extends NodeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    if (String(url).startsWith('blob:')) {
      super(BOOTSTRAP, { ...options, workerData: workerData() });
      pthreads.add(this);
      this.once('exit', () => pthreads.delete(this));
    } else {
      super(url, options);
    }
  }
}

let installed = false;

/**
 * Makes `global.Worker` the pthread-capable worker class for good: the glue assigns worker_threads' class there when
 * it starts and creates workers through it later, so the assignment is absorbed. Idempotent.
 */
export function installPthreadWorkers(): void {
  if (installed) return;
  installNodePoolWorkers();
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => PthreadWorker,
    set: () => undefined,
  });
  installed = true;
}

/**
 * Runs `start` while `os.cpus()` reports `logicalCores` cores. tfjs's C++ caps XNNPACK's pool at half the logical
 * cores it is told about (assuming two hyperthreads per core), which on a 2-vCPU machine means one thread; the
 * glue asks `os.cpus()` once, while the module initialises. Afterwards the pool's threads, which wait for work
 * forever, are told not to keep the process alive (the glue marks a running thread as doing so).
 */
export async function withReportedCores<T>(logicalCores: number, start: () => Promise<T>): Promise<T> {
  const cpus = os.cpus;
  const real = cpus();
  const model = real[0] ?? { model: 'cpu', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
  os.cpus = () => Array.from({ length: logicalCores }, (_, i) => real[i] ?? model);
  try {
    return await start();
  } finally {
    os.cpus = cpus;
    for (const worker of pthreads) worker.unref();
  }
}

/** Logical cores of this machine. */
export function logicalCores(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}
