/**
 * Backend handling in the worker: 'auto' is the fastest backend that works here for the run's model and size
 * (measured once per device, model and size, then cached in IndexedDB; software GPUs never take part), a named
 * backend is used when it works (else the next one, with the reason); the GPU or threads behind it are described
 * for the indicator, and `backendAlive` checks whether it still works after a failure.
 */
import * as tf from '@tensorflow/tfjs';
import { selectFastestBackend } from '../lab/backend/auto-backend';
import type { CalibrationTarget } from '../lab/backend/calibrate';
import { describeAdapterInfo } from '../lab/backend/gpu-probe';
import {
  deviceComputes,
  selectBackend,
  type BackendSelection,
  type SelectBackendOptions,
} from '../lab/backend/select-backend';
import { within } from '../lab/backend/set-backend-within';
import type { KernelChoice } from '../lab/backend/fast-training/kernel-choice';
import { takesInputSize } from '../lab/models/input-size';
import { findModel } from '../lab/registry';
import { measureTrainingSpeed } from '../lab/train/training-speed';
import { measurementCache } from './calibration-cache';
import { WASM_ASSETS } from './wasm-assets';
import type { BackendInfo, BackendPreference } from './protocol';

export type { CalibrationTarget };

const OPTIONS: SelectBackendOptions = {
  ...WASM_ASSETS,
  // Threads wherever the page is cross-origin isolated (WASM_ASSETS keeps the minified build from hanging).
  wasmThreads: 'auto',
  initTimeoutMs: 20_000,
};

let current: BackendInfo | null = null;
/** The target `current` was measured for (null: not measured). */
let currentTarget: string | null = null;
const cache = measurementCache();

/**
 * The model 'auto' should time for a run: the first of `models` that trains from images at this size (transfer
 * models train a head on cached features, so their speed is not the backend's question); null when there is none.
 * The queue passes it to `ensureBackend` when a run starts.
 */
export function calibrationTargetFor(
  settings: { size: number; channels: 1 | 3; batchSize: number },
  models: readonly string[],
): CalibrationTarget | null {
  for (const modelId of models) {
    try {
      const entry = findModel(modelId);
      if (entry.runner === 'image' && takesInputSize(entry, settings.size)) {
        return { modelId, size: settings.size, channels: settings.channels, batchSize: settings.batchSize };
      }
    } catch {
      // An unknown id fails later, in the run, with its own message.
    }
  }
  return null;
}

/**
 * Makes `preference` the active choice and describes it. For 'auto' with a `target` (the run's first model and
 * size, see calibrationTargetFor) the candidates are timed, or their cached times used; without one, auto is the
 * static choice. Work is skipped when nothing changed. Throws only when no backend works at all.
 */
export async function ensureBackend(
  preference: BackendPreference,
  target: CalibrationTarget | null = null,
  kernels?: KernelChoice,
): Promise<BackendInfo> {
  const targetKey = target == null ? null : JSON.stringify(target);
  // Without a choice (a backend switch, a fallback), the kernels stay what the last run asked for.
  const wanted = kernels ?? current?.kernels ?? 'lab';
  const unchanged =
    current != null &&
    current.preference === preference &&
    tf.getBackend() === current.name &&
    current.kernels === wanted;
  // A run without a target keeps what an earlier measurement chose.
  if (unchanged && (preference !== 'auto' || targetKey == null || targetKey === currentTarget)) return current!;
  if (preference === 'auto') {
    const auto = await selectFastestBackend({
      select: (p) => selectBackend(p, { ...OPTIONS, kernels: wanted }),
      target,
      measure: (t, limits) =>
        measureTrainingSpeed(
          () => findModel(t.modelId).build({ size: t.size, channels: t.channels, seed: 1 }),
          t,
          limits,
        ),
      cache,
    });
    current = describe(auto.selection, preference, auto.measured);
    currentTarget = targetKey ?? currentTarget;
  } else {
    current = describe(await selectBackend(preference, { ...OPTIONS, kernels: wanted }), preference, null);
    currentTarget = null;
  }
  return current;
}

function describe(
  selection: BackendSelection,
  preference: BackendPreference,
  measured: BackendInfo['measured'] | null,
): BackendInfo {
  return {
    name: selection.name,
    preference,
    adapter: describeSelection(selection),
    ...(selection.gpu?.software != null ? { software: selection.gpu.software } : {}),
    fallbacks: selection.fallbacks,
    fastKernels: selection.fastKernels,
    kernels: selection.kernels,
    ...(selection.kernelsNote != null ? { kernelsNote: selection.kernelsNote } : {}),
    ...(measured ? { measured } : {}),
  };
}

/** Forgets the selection so the next `ensureBackend` initialises again (after the backend broke). */
export function forgetBackend(): void {
  current = null;
  currentTarget = null;
}

/** A one-line description of what computes: the GPU (and whether it is a software one), or wasm's threads. */
function describeSelection(s: BackendSelection): string {
  if (s.gpu != null) {
    const version = s.name === 'webgl' ? ` (WebGL ${tf.env().getNumber('WEBGL_VERSION')})` : '';
    const software = s.gpu.software != null ? ` — software renderer (${s.gpu.software})` : '';
    return `${s.gpu.description || describeAdapterInfo(undefined, false)}${version}${software}`;
  }
  if (s.name === 'wasm') {
    const n = s.wasmThreads?.threads ?? 1;
    const count = n === 1 ? 'single thread' : `${n} threads`;
    return s.wasmThreads?.limitedBy ? `SIMD, ${count} (${s.wasmThreads.limitedBy})` : `SIMD, ${count}`;
  }
  return '';
}

/** True when the active backend still computes (it may have lost its GPU context or run out of memory). */
export function backendAlive(timeoutMs = 10_000): Promise<boolean> {
  const check = deviceComputes().then(
    (problem) => problem == null,
    () => false,
  );
  return within(check, timeoutMs, false);
}
