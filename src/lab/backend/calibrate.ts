/**
 * Auto, measured: times a few real training steps of the run's model at the run's size on every candidate backend
 * and keeps the fastest. Candidates are the GPUs that are real hardware (software renderers never take part,
 * select-backend.ts), and wasm; cpu never beats wasm. Every backend gets a time limit, warm-up included, and a
 * backend that fails, vanishes or overruns is left out with the reason. Results are cached per device and
 * model/size (the cache is the caller's: IndexedDB in the lab worker), so a device pays the second or two once.
 */
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
  /** Training images/s of the target on the current backend (the trainer's own step, e.g. measureTrainingSpeed). */
  measure: TrainingSpeedProbe;
  /** Makes `name` the current backend (the caller's wasm paths and thread policy apply). */
  select: (name: BackendName) => Promise<BackendSelection>;
  /** Timed steps run until this much time has passed (after one warm-up step). Default 600 ms. */
  budgetMs?: number;
  /** Per backend, warm-up included: over it, the backend is left out. Default 15 000 ms. */
  timeoutMs?: number;
}

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
 * Times training on the current backend within `limits`; throws when a step fails or `limits.deadline` passes (an
 * OverTimeError). The backend folder knows no model or optimizer, so the caller brings the measurement.
 */
export type TrainingSpeedProbe = (target: CalibrationTarget, limits: MeasureLimits) => Promise<number>;

/** A measurement that ran past its deadline. */
export class OverTimeError extends Error {
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
    const imagesPerSec = await o.measure(o.target, { budgetMs: o.budgetMs, deadline, signal: abandon.signal });
    return { name, imagesPerSec, note: null };
  })().catch((err: unknown) => ({
    name,
    imagesPerSec: null,
    note: err instanceof OverTimeError ? overTime : `calibration threw: ${(err as Error).message}`,
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
