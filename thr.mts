import { Worker as NodeWorker } from 'node:worker_threads';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const MAIN = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
const WORKER = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
class BlobWorker extends NodeWorker {
  constructor(url: string | URL, options?: object) {
    const s = String(url);
    if (s.startsWith('blob:')) super('/tmp/pthread-boot.cjs', { ...options, workerData: { main: MAIN, worker: WORKER } });
    else super(url, options);
  }
}
Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => BlobWorker, set: () => {} });
const tf = await import('@tensorflow/tfjs');
const w = await import('@tensorflow/tfjs-backend-wasm');
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
w.setThreadsCount(Number(process.argv[2] ?? 2));
const os = require('os'); const cpus = os.cpus; os.cpus = () => [...cpus(), ...cpus()];
const t0 = performance.now();
console.log(await tf.setBackend('wasm'), performance.now() - t0);
os.cpus = cpus; console.log(tf.getBackend(), w.getThreadsCount());
const x = tf.randomUniform([32, 128, 128, 8]); const f = tf.randomUniform([3, 3, 8, 16]);
for (let r = 0; r < 3; r++) { const t = performance.now(); for (let i = 0; i < 5; i++) { const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'); await y.data(); y.dispose(); } console.log('conv ms', (performance.now() - t) / 5); }
const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'); console.log((await y.sum().data())[0]);
