/**
 * Installs the fast training kernels (convolution gradients, MaxPoolGrad, Tile, and on wasm the per-channel
 * element-wise ops, reductions and BatchNormalization) into tfjs's global kernel registry, and puts the stock ones
 * back.
 *
 * The registry is global per tfjs instance, so the stock configs are remembered the first time a backend is
 * patched; `unregisterFastKernels` restores them (or leaves the kernel absent, as wasm ships no
 * Conv2DBackpropFilter), which lets a benchmark time stock and fast kernels in one process.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { ADAM_STEP, makeAdamStepKernel } from './adam-step';
import { BATCH_MOMENTS, makeBatchMomentsKernel } from './batch-moments';
import { BATCH_NORM_DX, makeBatchNormDxKernel, makeBatchNormKernel } from './batch-norm';
import { BATCH_NORM_DX_RELU, makeBatchNormDxReluKernel } from './batch-norm-dx-relu';
import { makeChannelBinaryKernel, makeReluGradKernel, RELU_GRAD } from './channel-binary';
import { BATCH_NORM_GRAD_SUMS, makeBatchNormGradSumsKernel, makeLeadingReduceKernel } from './channel-reduce';
import { CONV_BIAS_RELU, installConvBiasReluGradient, makeConvBiasReluKernel } from './conv-bias-relu';
import { makeBackpropFilterKernel, makeComposedFilterKernel } from './conv2d-backprop-filter';
import { makeBackpropInputKernel } from './conv2d-backprop-input';
import { makeMaxPoolKernel } from './max-pool';
import { makeMaxPoolGradKernel } from './max-pool-grad';
import { makeReluGradBiasSumKernel, makeReluKernel, RELU_GRAD_BIAS_SUM } from './relu-bias-grad';
import { makeTileKernel } from './tile';
import { installBatchNormGradient, installMeanGradient, installReluGradient } from './training-gradients';
import { makeAliasKernel } from './wasm-heap';

/** Backends whose kernels this module can patch. */
export type PatchableBackend = 'wasm' | 'cpu';

/** Names of the kernels this module provides. */
export type FastKernelName =
  | 'Conv2DBackpropFilter'
  | 'Conv2DBackpropInput'
  | 'MaxPoolGrad'
  | 'Tile'
  | 'Add'
  | 'Sub'
  | 'Multiply'
  | 'RealDiv'
  | 'Sum'
  | 'Mean'
  | 'FusedBatchNorm'
  | 'Identity'
  | 'Cast'
  | typeof BATCH_NORM_GRAD_SUMS
  | typeof RELU_GRAD
  | typeof ADAM_STEP
  | typeof BATCH_NORM_DX
  | typeof CONV_BIAS_RELU
  | typeof RELU_GRAD_BIAS_SUM
  | typeof BATCH_MOMENTS
  | typeof BATCH_NORM_DX_RELU
  | 'MaxPool'
  | 'Relu';

/** The per-channel kernels for wasm (SIMD on tfjs's heap); each defers to the stock kernel outside its case. */
const WASM_CHANNEL_KERNELS: readonly FastKernelName[] = [
  'Add',
  'Sub',
  'Multiply',
  'RealDiv',
  'Sum',
  'Mean',
  'FusedBatchNorm',
  'Identity',
  'Cast',
  BATCH_NORM_GRAD_SUMS,
  RELU_GRAD,
  ADAM_STEP,
  BATCH_NORM_DX,
  CONV_BIAS_RELU,
  RELU_GRAD_BIAS_SUM,
  BATCH_MOMENTS,
  'Relu',
  BATCH_NORM_DX_RELU,
  'MaxPool',
];

/**
 * Which kernels each backend gets by default, from bench/kernels.ts and bench/train-step-kernels.ts:
 * - the filter gradient everywhere (wasm has none; cpu's stock one is roughly 10–40× slower than ours);
 * - the input gradient on wasm only (1.5–9× faster there); cpu's stock loop beats ours, as cpu's own Conv2D,
 *   which ours runs on, is no faster than that loop;
 * - Tile everywhere: the stock kernels take ~40 ns per element, and BatchNormalization's gradient tiles a full
 *   activation every step (over 100× faster);
 * - MaxPoolGrad everywhere: ~3× faster than stock on wasm, ~30× on cpu, and on wasm it also breaks ties between
 *   equal maxima the way cpu does.
 * - on wasm, the per-channel kernels (bench/train-step-kernels.ts: broadcasts, reductions and BatchNormalization
 *   were over half of a light-k5 step at 128×128), and on both the fused BatchNormalization gradient's sums and
 *   the one-pass ReLU gradient.
 * - on both, the whole Adam update in one call (ADAM_STEP, used by src/lab/train/fused-adam.ts): tfjs's optimizer
 *   makes ~14 element-wise calls per variable, ~800 per light-k5 step, each mostly per-call overhead.
 * - on both, BatchNormalization's input gradient in one pass (BATCH_NORM_DX, used by the models' training layer).
 * - on both, a ReLU convolution as one kernel with a one-pass mask-and-bias-sum gradient (CONV_BIAS_RELU,
 *   RELU_GRAD_BIAS_SUM); on wasm, BatchNormalization's batch statistics in two read-only passes (BATCH_MOMENTS;
 *   cpu's stock Mean sums differently, so there tfjs's moments stay). Five fewer full-size passes per
 *   conv → ReLU → BatchNormalization layer of cnn (bench/train-step-ab.ts).
 * - on wasm, Relu (stock: ~10× slower than the ReLU gradient on the same activation).
 * - on wasm, BatchNormalization's input gradient masked by the ReLU convolution before it, with that layer's bias
 *   sums (BATCH_NORM_DX_RELU, relu-grad-handoff.ts): one full-size pass fewer per conv → ReLU → BatchNormalization.
 * - on wasm, MaxPool for 2×2 windows with stride 2, on the kernel pool (XNNPACK's took ~5× a pass over memory).
 */
export const DEFAULT_FAST_KERNELS: Record<PatchableBackend, readonly FastKernelName[]> = {
  wasm: ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Tile', ...WASM_CHANNEL_KERNELS],
  cpu: [
    'Conv2DBackpropFilter',
    'MaxPoolGrad',
    'Tile',
    BATCH_NORM_GRAD_SUMS,
    RELU_GRAD,
    ADAM_STEP,
    BATCH_NORM_DX,
    CONV_BIAS_RELU,
    RELU_GRAD_BIAS_SUM,
  ],
};

/** Builds each kernel for a backend; `stock` reaches the kernel it replaces (Tile falls back to it for strings). */
const makers: Record<
  FastKernelName,
  (backendName: string, stock: () => KernelConfig | undefined) => KernelConfig['kernelFunc']
> = {
  Conv2DBackpropFilter: (backendName) => makeBackpropFilterKernel(backendName),
  Conv2DBackpropInput: makeBackpropInputKernel,
  MaxPoolGrad: makeMaxPoolGradKernel,
  Tile: makeTileKernel,
  Add: makeChannelBinaryKernel('Add'),
  Sub: makeChannelBinaryKernel('Sub'),
  Multiply: makeChannelBinaryKernel('Multiply'),
  RealDiv: makeChannelBinaryKernel('RealDiv'),
  Sum: makeLeadingReduceKernel(false),
  Mean: makeLeadingReduceKernel(true),
  FusedBatchNorm: makeBatchNormKernel,
  Identity: makeAliasKernel(false),
  Cast: makeAliasKernel(true),
  [BATCH_NORM_GRAD_SUMS]: makeBatchNormGradSumsKernel,
  [RELU_GRAD]: makeReluGradKernel,
  [ADAM_STEP]: makeAdamStepKernel,
  [BATCH_NORM_DX]: makeBatchNormDxKernel,
  [CONV_BIAS_RELU]: makeConvBiasReluKernel,
  [RELU_GRAD_BIAS_SUM]: makeReluGradBiasSumKernel,
  [BATCH_MOMENTS]: makeBatchMomentsKernel,
  Relu: makeReluKernel,
  [BATCH_NORM_DX_RELU]: () => makeBatchNormDxReluKernel(),
  MaxPool: makeMaxPoolKernel,
};

/**
 * Installs the cheaper BatchNormalization and Mean gradients for a GPU backend (webgl, webgpu): fewer, larger
 * kernels, so fewer GPU programs per training step. Idempotent; wasm and cpu get them with their kernels.
 */
export function installGpuTrainingGradients(): void {
  installBatchNormGradient();
  installMeanGradient();
}

/** Stock configs captured before patching, keyed `backend/kernel`; `null` means the backend had none. */
const stock = new Map<string, KernelConfig | null>();
/** Our installed configs, keyed like `stock`, so we can tell whether the registry still holds ours. */
const installed = new Map<string, KernelConfig>();

/** Keys of the kernels registered by `fillMissingKernels` (built from stock kernels), which the fast ones replace. */
const filled = new Set<string>();

const keyOf = (backendName: string, kernelName: string): string => `${backendName}/${kernelName}`;

/** Replaces a registry entry without tfjs's "already registered" warning. */
function put(kernelName: string, backendName: string, config: KernelConfig | null): void {
  if (tf.getKernel(kernelName, backendName) != null) tf.unregisterKernel(kernelName, backendName);
  if (config != null) tf.registerKernel(config);
}

/**
 * Registers the fast kernels for `backendName` (default: all of `DEFAULT_FAST_KERNELS[backendName]`).
 * Idempotent: a kernel already ours is left alone. Returns the kernel names now served by this module.
 */
export function registerFastKernels(
  backendName: PatchableBackend,
  kernels: readonly FastKernelName[] = DEFAULT_FAST_KERNELS[backendName],
): FastKernelName[] {
  // These gradients defer to tfjs's wherever BATCH_NORM_GRAD_SUMS is not registered, so they can stay installed.
  if (kernels.includes(BATCH_NORM_GRAD_SUMS)) {
    installBatchNormGradient();
    installMeanGradient();
  }
  if (kernels.includes(RELU_GRAD)) installReluGradient();
  if (kernels.includes(CONV_BIAS_RELU)) installConvBiasReluGradient();
  for (const kernelName of kernels) {
    const key = keyOf(backendName, kernelName);
    const current = tf.getKernel(kernelName, backendName) ?? null;
    const ours = installed.get(key);
    if (ours != null && current === ours && !filled.has(key)) continue;
    // Whatever is there now is not ours (checked above), so it is the kernel to restore later; a filled gap had none.
    if (!filled.delete(key)) stock.set(key, current);
    const kernelFunc = makers[kernelName](backendName, () => stockKernel(backendName, kernelName));
    const config: KernelConfig = { kernelName, backendName, kernelFunc };
    put(kernelName, backendName, config);
    installed.set(key, config);
  }
  return fastKernelsActive(backendName);
}

/** Restores the stock kernels of `backendName` (removing ours where the backend had none). Idempotent. */
export function unregisterFastKernels(backendName: PatchableBackend): void {
  for (const kernelName of Object.keys(makers) as FastKernelName[]) {
    const key = keyOf(backendName, kernelName);
    const ours = installed.get(key);
    if (ours == null) continue;
    if (tf.getKernel(kernelName, backendName) === ours) put(kernelName, backendName, stock.get(key) ?? null);
    installed.delete(key);
    filled.delete(key);
  }
}

/**
 * Kernels a backend ships none of although training needs them, each built from that backend's own kernels: with
 * the lab's kernels off, wasm still gets a filter gradient (its stock set has none, so no convolution could train).
 */
const MISSING_ON: Partial<
  Record<PatchableBackend, Partial<Record<FastKernelName, (backendName: string) => KernelFunc>>>
> = {
  wasm: { Conv2DBackpropFilter: makeComposedFilterKernel },
};

/**
 * Registers, for `backendName`, only the kernels it lacks (see MISSING_ON), built from its own kernels; every kernel
 * it has stays stock. Call after `unregisterFastKernels`. Returns the kernel names now served by this module.
 */
export function fillMissingKernels(backendName: PatchableBackend): FastKernelName[] {
  for (const [kernelName, make] of Object.entries(MISSING_ON[backendName] ?? {})) {
    if (tf.getKernel(kernelName, backendName) != null) continue;
    const key = keyOf(backendName, kernelName);
    stock.set(key, null);
    const config: KernelConfig = { kernelName, backendName, kernelFunc: make(backendName) };
    put(kernelName, backendName, config);
    installed.set(key, config);
    filled.add(key);
  }
  return fastKernelsActive(backendName);
}

/** Kernel names of `backendName` currently served by this module. */
export function fastKernelsActive(backendName: PatchableBackend): FastKernelName[] {
  return (Object.keys(makers) as FastKernelName[]).filter((kernelName) => {
    const ours = installed.get(keyOf(backendName, kernelName));
    return ours != null && tf.getKernel(kernelName, backendName) === ours;
  });
}

/**
 * The stock config of a kernel, whether or not it is currently patched; `undefined` when the backend has none
 * (wasm's Conv2DBackpropFilter). For benchmarks and reference tests.
 */
export function stockKernel(backendName: PatchableBackend, kernelName: FastKernelName): KernelConfig | undefined {
  const key = keyOf(backendName, kernelName);
  if (stock.has(key)) return stock.get(key) ?? undefined;
  return tf.getKernel(kernelName, backendName);
}
