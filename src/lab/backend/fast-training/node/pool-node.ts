/**
 * The kernel pool's workers in Node: worker_threads started from the pool's source text, unreferenced so that an
 * idle pool never keeps the process alive. Loaded on demand by ../wasm-threads.ts.
 */
import { Worker } from 'node:worker_threads';
import { setPoolWorkerFactory } from '../pool/kernel-pool';

export function installNodePoolWorkers(): void {
  setPoolWorkerFactory((source) => {
    const worker = new Worker(source, { eval: true });
    worker.unref();
    return worker;
  });
}
