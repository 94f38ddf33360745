/**
 * Benchmark dispatcher: `npm run bench -- <suite> [options]`. Each suite prints its figures and writes JSON into
 * bench/results/. Speed targets live here, not in timed tests: this machine is shared and noisy.
 */
type Suite = (argv: string[]) => Promise<number>;

const SUITES: Record<string, { describe: string; load: () => Promise<Suite> }> = {
  kernels: {
    describe: 'stock vs fast convolution-gradient kernels on wasm and cpu',
    load: async () => async () => {
      await import('./kernels');
      return 0;
    },
  },
  ingest: {
    describe: 'dataset decode + resize images/s in Node and Chromium (worker pool vs single thread)',
    load: async () => (await import('./ingest/index')).runIngestSuite,
  },
  train: {
    describe: 'training and inference images/s per model/backend/env, ours vs stock tfjs (and --vs-torch)',
    load: async () => (await import('./train/index')).runTrainSuite,
  },
  'gpu-dispatches': {
    describe: 'GPU programs dispatched per training step on webgl/webgpu (headless Chromium)',
    load: async () => (await import('./gpu-dispatches')).runDispatchBench,
  },
  gpu: {
    describe:
      'cnn and light-k5 training on a hardware GPU (WebGPU, WebGL in Chromium; WebGPU in Node) ' +
      'next to PyTorch-CUDA; refuses software GPUs',
    load: async () => (await import('./gpu/index')).runGpuBench,
  },
  shift: {
    describe: 'accuracy under dataset shift, with and without test-time BatchNorm adaptation and prior correction',
    load: async () => (await import('./shift/index')).runShiftSuite,
  },
  recipe: {
    describe:
      'the study and robust recipes (and the robust one without each ingredient) on stand-ins for another hospital',
    load: async () => (await import('./recipe/index')).runRecipeSuite,
  },
  autosave: {
    describe: 'end-of-epoch checkpoint cost (capture + encode, IndexedDB write) against the epoch, at 128 px',
    load: async () => (await import('./autosave')).runAutosaveBench,
  },
  'dataset-store': {
    describe:
      'the decoded dataset kept in the browser: Kermany train at 64 px written through the store, sizes at 64/128/299 px',
    load: async () => (await import('./dataset-store')).runDatasetStoreBench,
  },
  transfer: {
    describe:
      'backbone images/s per backend; 20 head epochs on cached features vs one backbone pass ' +
      '(--vs-torch: the forward pass against PyTorch)',
    load: async () => (await import('./transfer')).runTransferBench,
  },
  explain: {
    describe: 'Grad-CAM ms per image for every family (128 px, InceptionV3 also at 299 px) next to predict',
    load: async () => (await import('./explain')).runExplainBench,
  },
  'page-smoothness': {
    describe:
      "the page's main thread while the default demo trains: input delay of synthetic key presses and long tasks, CPU at 1x and throttled 4x (Chromium)",
    load: async () => (await import('./page-smoothness')).runPageSmoothnessBench,
  },
  'twin-shift': {
    describe:
      "the lab's CNN and its PyTorch twin trained on the same folders, scored under the shift stand-ins (needs python3-torch)",
    load: async () => (await import('./twin-shift/index')).runTwinShiftBench,
  },
  demo: {
    describe:
      "the page's demo with its defaults (phantoms, cnn + light-k2) on wasm: test accuracy and AUC per seed and mean",
    load: async () => (await import('./demo')).runDemoBench,
  },
};

export async function runBench(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const suite = name ? SUITES[name] : undefined;
  if (!suite) {
    const list = Object.entries(SUITES)
      .map(([n, s]) => `  ${n.padEnd(10)} ${s.describe}`)
      .join('\n');
    process.stderr.write(`usage: npm run bench -- <suite> [options]\nsuites:\n${list}\n`);
    return name ? 2 : 0;
  }
  return (await suite.load())(rest);
}
