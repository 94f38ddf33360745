/**
 * Picks and initialises the tfjs backend the lab trains on, falling back along a fixed order and saying why each
 * skipped backend was skipped.
 *
 * Order for 'auto': in a page or worker webgpu → webgl → wasm → cpu; in Node wasm → cpu (Node has no WebGL, and
 * WebGPU there needs the optional `webgpu` package, so it is tried only when asked for by name). A named preference
 * is tried first, then the rest of the auto order. Auto never takes a software GPU (SwiftShader, llvmpipe, …:
 * tens of times slower than wasm on the same CPU); a name does. WebGL that can only render float16 is refused
 * either way. Which of the remaining backends is *fastest* is calibrate.ts's question. The chosen backend then gets
 * the lab's fast training path or stock tfjs (fast-training/, the `kernels` option); wasm runs XNNPACK on every
 * core where it can (fast-training/wasm-threads.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { probeWebGl, probeWebGpu, type GpuProbe } from './gpu-probe';
import { installFastTraining, type KernelChoice } from './fast-training';
import type { FastKernelName } from './fast-training/kernels/register';
import { detectRuntime, type Runtime } from './runtime';
import { setBackendWithin, within } from './set-backend-within';
import { startWasm, type WasmStart, type WasmStartOptions } from './fast-training/wasm-start';

/** Backends the lab knows how to use. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface SelectBackendOptions extends WasmStartOptions {
  /** The lab's fast training path ('lab', the default) or stock tfjs ('stock'); see installFastTraining. */
  kernels?: KernelChoice;
  /** Where the one warning about an unpinned tfjs version goes (default console.warn). */
  warn?: (line: string) => void;
  /** Give up on a backend whose initialisation takes longer than this. Default 30 000 ms. */
  initTimeoutMs?: number;
  /** Let auto take a software GPU too (tests of the GPU path on SwiftShader). Default false. */
  allowSoftwareGpu?: boolean;
}

/** A backend that was not chosen, and why. */
export interface BackendFallback {
  name: BackendName;
  reason: string;
  /** Set when the reason is a software renderer (which auto leaves out although it works). */
  software?: string;
}

export interface BackendSelection {
  /** The active backend (`tf.getBackend()`). */
  name: BackendName;
  /** Backends tried (or ruled out) before `name`, in order, with reasons. */
  fallbacks: BackendFallback[];
  /** Kernels of `name` served by src/lab/backend/fast-training/kernels. */
  fastKernels: FastKernelName[];
  /** What trains: the lab's fast path or stock tfjs (stock also when tfjs is not the pinned version). */
  kernels: KernelChoice;
  /** Why 'lab' was asked for and 'stock' runs, or null. */
  kernelsNote: string | null;
  runtime: Runtime;
  /** wasm only: XNNPACK's threads, and why not more (null when every core is used); absent for other backends. */
  wasmThreads?: { threads: number; limitedBy: string | null };
  /** webgpu/webgl only: the adapter or renderer, and the software renderer behind it (only when asked for by name). */
  gpu?: GpuProbe;
}

const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const NODE_ORDER: readonly BackendName[] = ['wasm', 'cpu'];

/** The order in which backends are tried for a preference in a runtime. */
export function candidateOrder(preference: BackendPreference, runtime: Runtime): BackendName[] {
  const auto = runtime === 'node' ? NODE_ORDER : BROWSER_ORDER;
  if (preference === 'auto') return [...auto];
  return [preference, ...auto.filter((name) => name !== preference)];
}

/** Probes a GPU API; null for CPU backends. */
export async function probeGpu(name: BackendName): Promise<GpuProbe | null> {
  if (name === 'webgpu') return probeWebGpu();
  if (name === 'webgl') return probeWebGl();
  return null;
}

/** Why `name` cannot be tried here (or must not be, by auto), or null; loads the webgpu backend on demand. */
async function unavailableReason(
  name: BackendName,
  runtime: Runtime,
  probe: GpuProbe | null,
  byName: boolean,
  allowSoftware: boolean,
): Promise<string | null> {
  if (probe?.unavailable) return probe.unavailable;
  if (probe?.software && !byName && !allowSoftware) {
    return (
      `software renderer (${probe.software}), slower than wasm: auto leaves it out (choose it by name to use it ` +
      `anyway); ${probe.description}`
    );
  }
  // Loaded lazily: it is large, and only registers itself where WebGPU exists.
  if (name === 'webgpu' && tf.findBackendFactory('webgpu') == null) {
    try {
      await import('@tensorflow/tfjs-backend-webgpu');
    } catch (err) {
      return `loading @tensorflow/tfjs-backend-webgpu failed: ${(err as Error).message}`;
    }
  }
  if (tf.findBackendFactory(name) == null) return `backend '${name}' is not registered in this ${runtime} build`;
  return null;
}

/**
 * WebGL that renders only to float16 textures (WEBGL_RENDER_FLOAT32_CAPABLE false: iOS and many phones) would train
 * with 11-bit mantissas: gradients underflow and BatchNorm statistics lose precision. Refused; why, or null.
 */
export function float16OnlyReason(name: BackendName): string | null {
  if (name !== 'webgl' || tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) return null;
  const capable = tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE');
  return (
    `this WebGL renders to float16 textures only (WEBGL_RENDER_FLOAT32_${capable ? 'ENABLED' : 'CAPABLE'} is false): ` +
    'training in half precision is refused'
  );
}

/**
 * Runs a program on the active backend's device and reads it back; null when the values are right, else what went
 * wrong. `fill` makes the add a device program: a tiny op on values held on the CPU is computed on the CPU by
 * tfjs's GPU backends (CPU forwarding), which would call a lost WebGPU device or WebGL context alive.
 */
export async function deviceComputes(): Promise<string | null> {
  const n = 4096;
  const t = tf.tidy(() => tf.add(tf.fill([n], 1), tf.range(0, n)));
  try {
    const values = await t.data();
    return values[0] === 1 && values[n - 1] === n
      ? null
      : `computed [${values[0]}, …, ${values[n - 1]}] for [1, …, ${n}]`;
  } finally {
    t.dispose();
  }
}

/**
 * deviceComputes within a time limit, to catch backends that initialise but compute nonsense, fail, or hang (a read
 * from a lost WebGL context waits on a fence that never passes).
 */
function smokeTest(timeoutMs: number): Promise<string | null> {
  const attempt = deviceComputes().then(
    (problem) => (problem == null ? null : `smoke test ${problem}`),
    (err: unknown) => `smoke test threw: ${(err as Error).message}`,
  );
  return within(attempt, timeoutMs, `smoke test did not finish within ${timeoutMs} ms (a lost GPU?)`);
}

/**
 * Initialises the best available backend for `preference` and makes it current. Throws only when no backend at
 * all works (the message lists every reason).
 */
export async function selectBackend(
  preference: BackendPreference = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  const runtime = detectRuntime();
  const fallbacks: BackendFallback[] = [];
  const timeoutMs = options.initTimeoutMs ?? 30_000;
  for (const name of candidateOrder(preference, runtime)) {
    const probe = await probeGpu(name);
    let reason = await unavailableReason(name, runtime, probe, name === preference, options.allowSoftwareGpu === true);
    let wasm: WasmStart | null = null;
    if (reason == null && name === 'wasm') {
      wasm = await startWasm(runtime, options, timeoutMs);
      reason = wasm.reason;
    } else if (reason == null) {
      reason = await setBackendWithin(name, timeoutMs);
    }
    reason ??= float16OnlyReason(name) ?? (await smokeTest(timeoutMs));
    if (reason != null) {
      const leftOutAsSoftware = probe?.software != null && probe.unavailable == null && name !== preference;
      fallbacks.push({ name, reason, ...(leftOutAsSoftware ? { software: probe.software! } : {}) });
      continue;
    }
    const fast = installFastTraining(name, {
      kernels: options.kernels,
      versions: options.tfjsVersions,
      warn: options.warn,
    });
    return {
      name,
      fallbacks,
      fastKernels: fast.registered,
      kernels: fast.kernels,
      kernelsNote: fast.note,
      runtime,
      ...(wasm ? { wasmThreads: wasm.threads } : {}),
      ...(probe ? { gpu: probe } : {}),
    };
  }
  const detail = fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ');
  throw new Error(`No tfjs backend could be initialised (${detail})`);
}
