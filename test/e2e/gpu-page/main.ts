/**
 * The GPU check page: the lab's backend code in a real browser (Debian Chromium: SwiftShader's WebGL and, with
 * --enable-unsafe-webgpu, WebGPU), driven through `window.xrayGpu` by test/e2e/gpu-*.test.ts and
 * bench/gpu-dispatches.ts. Served cross-origin isolated, as the lab is.
 */
import * as tf from '@tensorflow/tfjs';
import { selectFastestBackend, type MeasurementCache } from '../../../src/lab/backend/auto-backend';
import {
  bufferLimitReason,
  largestActivationBytesPerImage,
  webgpuBufferLimit,
} from '../../../src/lab/backend/buffer-limits';
import type { BackendMeasurement, CalibrationTarget } from '../../../src/lab/backend/calibrate';
import { countGpuDispatches, gpuDispatchesByKernel } from '../../../src/lab/backend/dispatch-count';
import { probeWebGl, probeWebGpu, type GpuProbe } from '../../../src/lab/backend/gpu-probe';
import {
  selectBackend,
  type BackendName,
  type BackendPreference,
  type SelectBackendOptions,
} from '../../../src/lab/backend/select-backend';
import { generatePhantomImages } from '../../../src/lab/data/phantom';
import { findModel } from '../../../src/lab/registry';
import { FusedAdam } from '../../../src/lab/train/fused-adam';
import { measureTrainingSpeed } from '../../../src/lab/train/training-speed';
import { trainModel } from '../../../src/lab/train/trainer';
import { WASM_ASSETS } from '../../../src/worker/wasm-assets';
import { aroundSecondStep, compareSteps, trainingStep, type Parity, type StepRequest } from './step';

const OPTIONS: SelectBackendOptions = WASM_ASSETS;

/** Selects `name` (by name, so software GPUs are allowed) and fails loudly when it is not what started. */
async function use(name: BackendName): Promise<void> {
  const s = await selectBackend(name, OPTIONS);
  if (s.name !== name) throw new Error(`${name} did not start: ${s.fallbacks.map((f) => f.reason).join('; ')}`);
}

const memoryCache = new Map<string, BackendMeasurement[]>();
const cache: MeasurementCache = {
  get: async (key) => memoryCache.get(key) ?? null,
  put: async (key, measured) => void memoryCache.set(key, measured),
};

const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

export const xrayGpu = {
  async probes(): Promise<{ webgpu: GpuProbe; webgl: GpuProbe; isolated: boolean }> {
    return { webgpu: await probeWebGpu(), webgl: probeWebGl(), isolated: crossOriginIsolated };
  },

  async select(preference: BackendPreference) {
    const s = await selectBackend(preference, OPTIONS);
    return { name: s.name, fallbacks: s.fallbacks, gpu: s.gpu ?? null, threads: s.wasmThreads?.threads ?? null };
  },

  /** 'auto' with a target: timed candidates (software GPUs included only when asked), cached in this page. */
  async auto(target: CalibrationTarget | null, allowSoftwareGpu: boolean) {
    const r = await selectFastestBackend({
      select: (p) => selectBackend(p, OPTIONS),
      target,
      allowSoftwareGpu,
      cache,
      budgetMs: 200,
      timeoutMs: 60_000,
      measure: (t, limits) =>
        measureTrainingSpeed(
          () => findModel(t.modelId).build({ size: t.size, channels: t.channels, seed: 1 }),
          t,
          limits,
        ),
    });
    return {
      name: r.selection.name,
      measured: r.measured,
      cached: r.cached,
      note: r.note,
      fallbacks: r.selection.fallbacks,
    };
  },

  /** One training step on `backend` and on cpu, compared. */
  async parity(backend: BackendName, request: StepRequest): Promise<Parity> {
    await use('cpu');
    const want = await trainingStep(request);
    await use(backend);
    const got = await trainingStep(request);
    return compareSteps(got, want);
  },

  /** GPU programs of one training step (the second: the first compiles shaders and creates Adam's moments). */
  async dispatches(backend: BackendName, request: StepRequest): Promise<number> {
    await use(backend);
    return aroundSecondStep(request, (step) => countGpuDispatches(step));
  },

  /** Where the programs of that step come from, per kernel. */
  async dispatchBreakdown(backend: BackendName, request: StepRequest) {
    await use(backend);
    return aroundSecondStep(request, (step) => gpuDispatchesByKernel(step));
  },

  /** GPU programs of one Adam update of a model: FusedAdam's concatenated update against tfjs's per variable. */
  async adamDispatches(backend: BackendName, modelId: string) {
    await use(backend);
    const model = findModel(modelId).build({ size: 16, channels: 3, seed: 1 });
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const grads = variables.map((v) => ({ name: v.name, tensor: tf.onesLike(v) as tf.Tensor }));
    const count = async (optimizer: tf.Optimizer) => {
      optimizer.applyGradients(grads); // creates the moments
      const n = await countGpuDispatches(async () => {
        optimizer.applyGradients(grads);
        await tf.backend().read((variables[0] as unknown as { dataId: object }).dataId);
      });
      optimizer.dispose();
      return n;
    };
    const fused = await count(new FusedAdam(1e-3, 0.9, 0.999, 1e-7));
    const stock = await count(tf.train.adam(1e-3, 0.9, 0.999, 1e-7));
    tf.dispose(grads.map((g) => g.tensor));
    model.dispose();
    return { fused, stock, variables: variables.length };
  },

  /** One epoch of the real trainer with every synchronous read counted. */
  async syncReads(backend: BackendName, modelId: string, size: number): Promise<{ reads: number; loss: number }> {
    await use(backend);
    const backendObject = tf.backend() as unknown as { readSync: (id: object) => unknown };
    const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const spied = ['dataSync', 'arraySync', 'bufferSync'] as const;
    const saved = spied.map((m) => proto[m]);
    const savedRead = backendObject.readSync;
    let reads = 0;
    spied.forEach(
      (m, i) =>
        (proto[m] = function (this: unknown, ...a: unknown[]) {
          reads++;
          return saved[i].apply(this, a);
        }),
    );
    backendObject.readSync = function (this: unknown, id: object) {
      reads++;
      return savedRead.call(this, id);
    };
    try {
      const model = findModel(modelId).build({ size, channels: 3, seed: 2 });
      const images = generatePhantomImages({ perClass: 4, size, channels: 3, seed: 3 });
      const summary = await trainModel(model, images, images, {
        epochs: 1,
        batchSize: 4,
        seed: 1,
        batchNormRecalibrationBatches: 1,
      });
      model.dispose();
      return { reads, loss: summary.history[0].loss };
    } finally {
      spied.forEach((m, i) => (proto[m] = saved[i]));
      backendObject.readSync = savedRead;
    }
  },

  /** A WebGL that can only render float16 (as iOS reports it) must be refused; the flags are put back afterwards. */
  async float16Guard() {
    await this.select('webgl');
    const flags = ['WEBGL_RENDER_FLOAT32_CAPABLE', 'WEBGL_RENDER_FLOAT32_ENABLED'];
    const saved = flags.map((f) => tf.env().getBool(f));
    flags.forEach((f) => tf.env().set(f, false));
    try {
      return await this.select('webgl');
    } finally {
      flags.forEach((f, i) => tf.env().set(f, saved[i]));
    }
  },

  /** On webgpu: the device's buffer limit, and the trainer's refusal of a batch just over it. */
  async bufferLimit(modelId: string, size: number) {
    await use('webgpu');
    const limit = webgpuBufferLimit()!;
    const model = findModel(modelId).build({ size, channels: 3, seed: 1 });
    const perImage = largestActivationBytesPerImage(model);
    const batch = Math.floor(limit / perImage) + 1;
    const reason = bufferLimitReason(model, batch);
    const fits = bufferLimitReason(model, batch - 1);
    let trainError: string | null = null;
    const before = tf.memory().numTensors;
    try {
      // A source that would take minutes to fill: the refusal must come before any batch is made.
      const images = generatePhantomImages({ perClass: 1, size, channels: 3, seed: 1 });
      const many = { ...images, count: batch, labels: new Int32Array(batch) };
      await trainModel(model, many, null, { epochs: 1, batchSize: batch });
    } catch (err) {
      trainError = errorText(err);
    }
    const leaked = tf.memory().numTensors - before;
    model.dispose();
    return { limit, perImage, batch, reason, fits, trainError, leaked };
  },
};

declare global {
  interface Window {
    xrayGpu: typeof xrayGpu;
  }
}
window.xrayGpu = xrayGpu;
document.title = 'ready';
