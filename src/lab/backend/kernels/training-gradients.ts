/**
 * Cheaper gradients for the two ops that make BatchNormalization's backward pass expensive on wasm and cpu. Both
 * stay installed once registered and defer to tfjs's own gradient wherever the fast kernels are not registered for
 * the current backend (webgl, webgpu, or stock kernels restored by unregisterFastKernels).
 *
 * - `FusedBatchNorm`: all five input gradients from two per-channel sums (Σdy and Σdy·(x − mean), one pass over x
 *   and dy by BATCH_NORM_GRAD_SUMS) plus one multiply for dx. tfjs's own gradient makes about thirteen full-size
 *   passes (nine element-wise ops and four reductions).
 * - `Mean`: tfjs's builds `dy · ones(x.shape) / n`, a JavaScript-filled array of ones the size of the activation,
 *   uploaded, then two full-size ops (~100 ms of a light-k5 step at 128×128: BatchNormalization takes two means per
 *   layer). Here dy/n is broadcast to x's shape by one Tile, which the fast Tile kernel does with memcpy-like copies.
 * - `Relu`: one RELU_GRAD pass instead of Step, Cast and Multiply.
 */
import * as tf from '@tensorflow/tfjs';
import type { FusedBatchNormAttrs, GradConfig, MeanAttrs } from '@tensorflow/tfjs';
import { RELU_GRAD } from './channel-binary';
import { BATCH_NORM_GRAD_SUMS } from './channel-reduce';

/** The fast gradients apply where this module's kernels are registered for the current backend. */
export function fastGradientsActive(): boolean {
  return tf.getKernel(BATCH_NORM_GRAD_SUMS, tf.getBackend()) != null;
}

/** tfjs's own FusedBatchNorm gradient, captured before ours replaces it. */
let stockGradient: GradConfig | undefined;

/** True when the fused gradient applies: a backend with the sums kernel and per-channel float32 statistics. */
function fusedApplies(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor | undefined): boolean {
  if (!fastGradientsActive()) return false;
  const channels = x.shape[x.shape.length - 1];
  const stats = [mean, variance, ...(scale ? [scale] : [])];
  return x.rank >= 2 && x.dtype === 'float32' && stats.every((t) => t.rank === 1 && t.shape[0] === channels);
}

const fusedGradient: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const dyT = dy as tf.Tensor;
    if (!fusedApplies(x, mean, variance, scale)) return stockGradient!.gradFunc(dy, saved, attrs);
    const { varianceEpsilon } = attrs as unknown as FusedBatchNormAttrs;
    // The two sums are tiny; the backward pass's scope frees them. dx is computed only when asked for.
    const [sumDy, sumDyXmu] = tf.engine().runKernel(BATCH_NORM_GRAD_SUMS, { x, dy: dyT, mean }, {}) as tf.Tensor[];
    const rsqrt = tf.rsqrt(tf.add(variance, varianceEpsilon));
    const gain = scale ? tf.mul(rsqrt, scale) : rsqrt;
    return {
      x: () => tf.mul(dyT, gain),
      mean: () => tf.neg(tf.mul(gain, sumDy)),
      variance: () => tf.mul(tf.mul(tf.mul(gain, tf.square(rsqrt)), -0.5), sumDyXmu),
      scale: () => tf.mul(rsqrt, sumDyXmu),
      offset: () => tf.reshape(sumDy, sumDy.shape),
    };
  },
};

/** Installs the fused gradient (once); it defers to tfjs's where it does not apply, so it can stay installed. */
export function installBatchNormGradient(): void {
  if (stockGradient != null) return;
  stockGradient = tf.getGradient('FusedBatchNorm');
  if (stockGradient == null) throw new Error('tfjs has no FusedBatchNorm gradient to extend');
  tf.registerGradient(fusedGradient);
}

let stockMeanGradient: GradConfig | undefined;

const meanGradient: GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    if (!fastGradientsActive() || x.dtype !== 'float32') return stockMeanGradient!.gradFunc(dy, saved, attrs);
    const axes = tf.util.parseAxisParam((attrs as unknown as MeanAttrs).axis, x.shape);
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    return {
      x: () => tf.broadcastTo(tf.div(tf.reshape(dy as tf.Tensor, kept), count), x.shape),
    };
  },
};

/** Installs the gradient (once); it defers to tfjs's wherever the fast kernels are not registered. */
export function installMeanGradient(): void {
  if (stockMeanGradient != null) return;
  stockMeanGradient = tf.getGradient('Mean');
  if (stockMeanGradient == null) throw new Error('tfjs has no Mean gradient to extend');
  tf.registerGradient(meanGradient);
}

let stockReluGradient: GradConfig | undefined;

const reluGradient: GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const usable = x.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) != null;
    if (!usable) return stockReluGradient!.gradFunc(dy, saved, attrs);
    return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }, {}) as tf.Tensor };
  },
};

/** Installs the one-pass ReLU gradient (once); it defers to tfjs's where RELU_GRAD is not registered. */
export function installReluGradient(): void {
  if (stockReluGradient != null) return;
  stockReluGradient = tf.getGradient('Relu');
  if (stockReluGradient == null) throw new Error('tfjs has no Relu gradient to extend');
  tf.registerGradient(reluGradient);
}
