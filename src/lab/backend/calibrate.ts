/**
 * Auto, measured: times a few real training steps of the run's model at the run's size on every candidate backend
 * and keeps the fastest. Candidates are the GPUs that are real hardware (software renderers never take part,
 * select-backend.ts), and wasm; cpu never beats wasm. Every backend gets a time limit, warm-up included, and a
 * backend that fails, vanishes or overruns is left out with the reason. Results are cached per device and
 * model/size (the cache is the caller's: IndexedDB in the lab worker), so a device pays the second or two once.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedAdam } from '../train/fused-adam';
import { logitsLoss } from '../train/loss';
import { within } from './gpu-probe';
import type { BackendName, BackendSelection } from './select-backend';

/** What to time: the run's first model, at its size, channels and batch. */
export interface CalibrationTarget {
  modelId: string;
  size: number;
  channels: 1 | 3;
  batchSize: number;
}

/** One backend's figure: training images/s, or null with the reason it has none. */
export interface BackendMeasurement {
  name: BackendName;
  imagesPerSec: number | null;
  /** Why there is no figure (failed to start, threw, too slow), or null. */
  note: string | null;
}

export interface CalibrateOptions {
  /** Backends to time, in the order to prefer them on a tie. */
  candidates: readonly BackendName[];
  target: CalibrationTarget;
  /** Builds the target model on the current backend. */
  makeModel: () => tf.LayersModel;
  /** Makes `name` the current backend (the caller's wasm paths and thread policy apply). */
  select: (name: BackendName) => Promise<BackendSelection>;
  /** Timed steps run until this much time has passed (after one warm-up step). Default 600 ms. */
  budgetMs?: number;
  /** Per backend, warm-up included: over it, the backend is left out. Default 15 000 ms. */
  timeoutMs?: number;
}

const TIMED_STEPS_MAX = 4;

/** Random inputs and alternating labels of one batch of the target's shape. */
function syntheticBatch(t: CalibrationTarget): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  return tf.tidy(() => ({
    xs: tf.randomUniform([t.batchSize, t.size, t.size, t.channels], 0, 1, 'float32', 1) as tf.Tensor4D,
    ys: tf.tensor1d(Array.from({ length: t.batchSize }, (_, i) => i % 2), 'int32'),
  }));
}

/** Lets timers and messages run between steps (on wasm and cpu a whole measurement is otherwise one task). */
const breathe = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** When to stop timing: the timed part's budget, and a deadline past which the measurement is refused. */
export interface MeasureLimits {
  /** Timed steps run until this much time has passed (after one warm-up step). Default 600 ms. */
  budgetMs?: number;
  /** performance.now() past which the measurement throws (checked after every step). */
  deadline?: number;
  /** Aborted: stop before the next step. */
  signal?: AbortSignal;
}

/**
 * Images/s of the trainer's step (the model forward and backward, its loss with the L2 penalties, FusedAdam) on
 * the current backend: one warm-up step (kernel compilation, heap growth), then steps until the budget. Throws
 * when a step throws, the backend reads back a non-finite loss, or the deadline passes.
 */
export async function measureTrainingSpeed(makeModel: () => tf.LayersModel, target: CalibrationTarget,
  limits: MeasureLimits = {}): Promise<number> {
  const budgetMs = limits.budgetMs ?? 600;
  const model = makeModel();
  const optimizer = new FusedAdam(1e-3, 0.9, 0.999, 1e-7);
  const { xs, ys } = syntheticBatch(target);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async () => {
    // Given up on (over its time limit): stop before the next step rather than train on whatever is current now.
    if (limits.signal?.aborted) throw new Error('calibration abandoned');
    await breathe();
    const loss = optimizer.minimize(() => logitsLoss(model, model.apply(xs, { training: true }) as tf.Tensor2D, ys), true, variables)!;
    const value = (await loss.data())[0];
    loss.dispose();
    if (!Number.isFinite(value)) throw new Error(`the loss came back ${value}`);
    if (limits.deadline != null && performance.now() > limits.deadline) throw new OverTimeError();
  };
  try {
    await step();
    const started = performance.now();
    let steps = 0;
    while (steps < TIMED_STEPS_MAX && (steps === 0 || performance.now() - started < budgetMs)) {
      await step();
      steps++;
    }
    return (steps * target.batchSize * 1000) / (performance.now() - started);
  } finally {
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  }
}

/** A measurement that ran past its deadline. */
class OverTimeError extends Error {
  constructor() {
    super('over its time limit');
  }
}

/**
 * Times one candidate: start it, measure, all within `timeoutMs`. Past the limit the measurement is abandoned (it
 * stops before its next step; a step already running on a GPU finishes in the background).
 */
async function measureOne(name: BackendName, o: CalibrateOptions): Promise<BackendMeasurement> {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const overTime = `no figure within ${timeoutMs} ms (start-up and a few training steps)`;
  const abandon = new AbortController();
  const deadline = performance.now() + timeoutMs;
  const attempt = (async (): Promise<BackendMeasurement> => {
    const selected = await o.select(name);
    if (selected.name !== name) {
      const why = selected.fallbacks.find((f) => f.name === name)?.reason ?? 'it did not start';
      return { name, imagesPerSec: null, note: why };
    }
    const imagesPerSec = await measureTrainingSpeed(o.makeModel, o.target, { budgetMs: o.budgetMs, deadline, signal: abandon.signal });
    return { name, imagesPerSec, note: null };
  })().catch((err: unknown) => ({
    name, imagesPerSec: null, note: err instanceof OverTimeError ? overTime : `calibration threw: ${(err as Error).message}`,
  }));
  // The timer catches a GPU step that never comes back; the deadline, CPU steps (which block timers while they run).
  return within(attempt, timeoutMs, () => {
    abandon.abort();
    return { name, imagesPerSec: null, note: overTime };
  });
}

/** Times every candidate in turn; the current backend afterwards is whichever was timed last. */
export async function calibrateBackends(o: CalibrateOptions): Promise<BackendMeasurement[]> {
  const measured: BackendMeasurement[] = [];
  for (const name of o.candidates) measured.push(await measureOne(name, o));
  return measured;
}

/** The fastest measured backend (the earlier candidate on a tie), or null when none has a figure. */
export function fastestBackend(measured: readonly BackendMeasurement[]): BackendName | null {
  let best: BackendMeasurement | null = null;
  for (const m of measured) {
    if (m.imagesPerSec != null && (best?.imagesPerSec == null || m.imagesPerSec > best.imagesPerSec)) best = m;
  }
  return best?.name ?? null;
}
