/**
 * Cheaper gradients for the two ops that make BatchNormalization's backward pass expensive, and for ReLU. All stay
 * installed once registered; Mean's and ReLU's defer to tfjs's own wherever the fast kernels are not registered for
 * the current backend (webgl, webgpu, or stock kernels restored by unregisterFastKernels).
 *
 * - `FusedBatchNorm`: all five input gradients from two per-channel sums (Σdy and Σdy·(x − mean), one pass over x
 *   and dy by BATCH_NORM_GRAD_SUMS; on webgl/webgpu, which lack that kernel, a subtraction, a product and two
 *   reductions) plus one multiply for dx. tfjs's own gradient makes about thirteen full-size passes (nine
 *   element-wise ops and four reductions): on a GPU each is a program of its own.
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
function fastGradientsActive(): boolean {
  return tf.getKernel(BATCH_NORM_GRAD_SUMS, tf.getBackend()) != null;
}

/** True on webgl and webgpu, where the fewer kernels the better whatever they are. */
function onGpu(): boolean {
  const name = tf.getBackend();
  return name === 'webgl' || name === 'webgpu';
}

type GradFunc = GradConfig['gradFunc'];

/** tfjs's own gradient of each kernel this module has replaced, to defer to and to restore. */
const extended = new Map<string, GradConfig>();

/**
 * Replaces the gradient of `kernelName` (once) by `make(stock)`, where `stock` is tfjs's own gradient function to
 * defer to wherever ours does not apply. Ours saves the same inputs in the same order as tfjs's, or the deferral
 * would receive the wrong tensors; that is checked here rather than trusted.
 */
function extendGradient(kernelName: string, inputsToSave: string[], make: (stock: GradFunc) => GradFunc): void {
  if (extended.has(kernelName)) return;
  const stock = tf.getGradient(kernelName);
  if (stock == null) throw new Error(`tfjs has no ${kernelName} gradient to extend`);
  if ((stock.inputsToSave ?? []).join() !== inputsToSave.join() || stock.outputsToSave != null) {
    throw new Error(`tfjs's ${kernelName} gradient saves [${stock.inputsToSave ?? []}], not [${inputsToSave}]`);
  }
  tf.registerGradient({ kernelName, inputsToSave, gradFunc: make(stock.gradFunc) });
  extended.set(kernelName, stock);
}

/** Puts tfjs's own gradients back wherever this module replaced them (stock training); the next install redoes them. */
export function restoreStockGradients(): void {
  for (const stock of extended.values()) tf.registerGradient(stock);
  extended.clear();
}

/** True when the fused gradient applies: per-channel float32 statistics (any backend; see `gradSums`). */
function fusedApplies(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor | undefined): boolean {
  const channels = x.shape[x.shape.length - 1];
  const stats = [mean, variance, ...(scale ? [scale] : [])];
  return x.rank >= 2 && x.dtype === 'float32' && stats.every((t) => t.rank === 1 && t.shape[0] === channels);
}

/** Σdy and Σdy·(x − mean) per channel: one pass where BATCH_NORM_GRAD_SUMS is registered, else four kernels. */
export function gradSums(x: tf.Tensor, dy: tf.Tensor, mean: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (fastGradientsActive())
    return tf.engine().runKernel(BATCH_NORM_GRAD_SUMS, { x, dy, mean }, {}) as [tf.Tensor, tf.Tensor];
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  return [tf.sum(dy, axes), tf.sum(tf.mul(dy, tf.sub(x, mean)), axes)];
}

/** Installs the fused BatchNormalization gradient (once); it defers to tfjs's where it does not apply. */
export function installBatchNormGradient(): void {
  extendGradient('FusedBatchNorm', ['x', 'mean', 'variance', 'scale'], (stock) => (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const dyT = dy as tf.Tensor;
    if (!fusedApplies(x, mean, variance, scale)) return stock(dy, saved, attrs);
    const { varianceEpsilon } = attrs as unknown as FusedBatchNormAttrs;
    // The two sums are tiny; the backward pass's scope frees them. dx is computed only when asked for.
    const [sumDy, sumDyXmu] = gradSums(x, dyT, mean);
    const rsqrt = tf.rsqrt(tf.add(variance, varianceEpsilon));
    const gain = scale ? tf.mul(rsqrt, scale) : rsqrt;
    return {
      x: () => tf.mul(dyT, gain),
      mean: () => tf.neg(tf.mul(gain, sumDy)),
      variance: () => tf.mul(tf.mul(tf.mul(gain, tf.square(rsqrt)), -0.5), sumDyXmu),
      scale: () => tf.mul(rsqrt, sumDyXmu),
      offset: () => tf.reshape(sumDy, sumDy.shape),
    };
  });
}

/** Installs the Tile-based Mean gradient (once); on wasm/cpu it defers to tfjs's where the fast Tile is not registered. */
export function installMeanGradient(): void {
  extendGradient('Mean', ['x'], (stock) => (dy, saved, attrs) => {
    const [x] = saved;
    // On a GPU a Tile is one program like any other; on wasm/cpu it needs the fast Tile kernel.
    if ((!fastGradientsActive() && !onGpu()) || x.dtype !== 'float32') return stock(dy, saved, attrs);
    const axes = tf.util.parseAxisParam((attrs as unknown as MeanAttrs).axis, x.shape);
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    return {
      x: () => tf.broadcastTo(tf.div(tf.reshape(dy as tf.Tensor, kept), count), x.shape),
    };
  });
}

/** Installs the one-pass ReLU gradient (once); it defers to tfjs's where RELU_GRAD is not registered. */
export function installReluGradient(): void {
  extendGradient('Relu', ['x'], (stock) => (dy, saved, attrs) => {
    const [x] = saved;
    const usable = x.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) != null;
    if (!usable) return stock(dy, saved, attrs);
    return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }, {}) as tf.Tensor };
  });
}
