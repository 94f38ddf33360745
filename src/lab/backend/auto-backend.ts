/**
 * 'auto' as the lab means it: the fastest backend that works here, for this model at this size. Without a target
 * it is select-backend.ts's static choice (the first usable of webgpu → webgl → wasm → cpu, software GPUs left
 * out); with one, every real candidate is timed (calibrate.ts) unless the cache already knows this device and
 * target, and the fastest is chosen. Whatever goes wrong while measuring, the static choice stands: training
 * always goes ahead.
 */
import * as tf from '@tensorflow/tfjs';
import {
  calibrateBackends,
  fastestBackend,
  type BackendMeasurement,
  type CalibrationTarget,
  type TrainingSpeedProbe,
} from './calibrate';
import { probeGpu, type BackendName, type BackendPreference, type BackendSelection } from './select-backend';

/** Where measurements are kept between runs (IndexedDB in the lab worker; nothing in Node). */
export interface MeasurementCache {
  get(key: string): Promise<BackendMeasurement[] | null>;
  put(key: string, measured: BackendMeasurement[]): Promise<void>;
}

export interface AutoBackendOptions {
  /** selectBackend with the caller's options (wasm paths, threads, time limits). */
  select: (preference: BackendPreference) => Promise<BackendSelection>;
  /** The run's first model and size; null = no measuring (the static choice). */
  target: CalibrationTarget | null;
  /** Times training of the target on the current backend (train/training-speed.ts's measureTrainingSpeed). */
  measure: TrainingSpeedProbe;
  cache?: MeasurementCache | null;
  /** Per candidate, start-up and steps. Default 15 000 ms. */
  timeoutMs?: number;
  /** Timed part per candidate. Default 600 ms. */
  budgetMs?: number;
  /** Time software GPUs too (tests of this path on SwiftShader; never the lab's default). */
  allowSoftwareGpu?: boolean;
}

export interface AutoBackend {
  selection: BackendSelection;
  /** Every candidate's figure (from this call or the cache); null when nothing was measured. */
  measured: BackendMeasurement[] | null;
  /** True when the figures came from the cache. */
  cached: boolean;
  /** Why nothing was measured or the measurement was not used, or null. */
  note: string | null;
}

const CPU_CANDIDATE: BackendName = 'wasm';
const GPU_CANDIDATES: readonly BackendName[] = ['webgpu', 'webgl'];

/** Real GPUs the static choice did not rule out (probed again: the static choice stops at the first that works). */
async function gpuCandidates(
  staticChoice: BackendSelection,
  allowSoftware: boolean,
): Promise<{ name: BackendName; description: string }[]> {
  const ruledOut = new Set(
    staticChoice.fallbacks.filter((f) => !(allowSoftware && f.software != null)).map((f) => f.name),
  );
  const found: { name: BackendName; description: string }[] = [];
  for (const name of GPU_CANDIDATES) {
    if (ruledOut.has(name)) continue;
    const probe = name === staticChoice.name ? (staticChoice.gpu ?? null) : await probeGpu(name);
    if (probe != null && probe.unavailable == null && (probe.software == null || allowSoftware)) {
      found.push({ name, description: probe.description });
    }
  }
  return found;
}

/** The cache key: what was measured and on what (GPU descriptions, cores, isolation, browser, tfjs version). */
export function measurementKey(target: CalibrationTarget, devices: readonly string[]): string {
  const g = globalThis as unknown as {
    navigator?: { hardwareConcurrency?: number; userAgent?: string };
    crossOriginIsolated?: boolean;
  };
  return JSON.stringify({
    v: 1,
    tfjs: tf.version_core,
    model: target.modelId,
    size: target.size,
    channels: target.channels,
    batch: target.batchSize,
    devices,
    cores: g.navigator?.hardwareConcurrency ?? null,
    isolated: g.crossOriginIsolated ?? null,
    agent: g.navigator?.userAgent ?? null,
  });
}

async function cacheGet(cache: MeasurementCache | null | undefined, key: string): Promise<BackendMeasurement[] | null> {
  try {
    return (await cache?.get(key)) ?? null;
  } catch {
    return null; // A broken cache costs a measurement, nothing more.
  }
}

/** Chooses and starts the backend for 'auto'; see the module comment. Throws only when no backend works at all. */
export async function selectFastestBackend(o: AutoBackendOptions, useCache = true): Promise<AutoBackend> {
  const staticChoice = await o.select('auto');
  const keep = (note: string | null): AutoBackend => ({ selection: staticChoice, measured: null, cached: false, note });
  if (o.target == null) return keep(null);
  if (staticChoice.name === 'cpu') return keep('wasm did not start; cpu is the only backend');
  const gpus = await gpuCandidates(staticChoice, o.allowSoftwareGpu === true);
  if (gpus.length === 0) return keep('no hardware GPU to compare with wasm');
  const candidates = [...gpus.map((g) => g.name), CPU_CANDIDATE];
  const key = measurementKey(
    o.target,
    gpus.map((g) => `${g.name}: ${g.description}`),
  );

  const cached = useCache ? await cacheGet(o.cache, key) : null;
  const target = o.target;
  const measured =
    cached ??
    (await calibrateBackends({
      candidates,
      target,
      measure: o.measure,
      select: o.select,
      timeoutMs: o.timeoutMs,
      budgetMs: o.budgetMs,
    }));
  const best = fastestBackend(measured);
  if (best == null) {
    await o.select(staticChoice.name);
    return { selection: staticChoice, measured, cached: cached != null, note: 'no candidate finished its calibration' };
  }
  const selection = await o.select(best);
  if (selection.name !== best && cached != null) {
    // The cache is stale (that backend no longer starts here): measure afresh.
    return selectFastestBackend(o, false);
  }
  if (cached == null) await o.cache?.put(key, measured).catch(() => undefined);
  return { selection, measured, cached: cached != null, note: null };
}
