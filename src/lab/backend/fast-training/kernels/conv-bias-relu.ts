/**
 * CONV_BIAS_RELU: relu(conv2d(x, filter) + bias) (NHWC, dilation 1) as one kernel with a gradient of its own.
 *
 * While a gradient is being recorded, tfjs's `fused.conv2d` fuses a bias but never an activation, so a ReLU conv
 * layer trains as Conv2D (or FusedConv2D with the bias), then a separate Relu, each a full pass over the activation,
 * and its gradient is a ReLU mask pass then a bias Sum, another two. Here the forward pass is the lab's direct SIMD
 * convolution on wasm where it applies (kernels/conv-direct.ts), else the backend's own FusedConv2D with the ReLU
 * inside (XNNPACK clamps its output on wasm: free), and the backward pass masks dy by
 * y > 0 and sums it per channel in one pass (RELU_GRAD_BIAS_SUM where registered). y > 0 exactly where the
 * pre-activation is > 0, so the masked gradient is tfjs's dy·step(pre-activation). The input and filter gradients
 * are the usual Conv2DBackpropInput/Filter kernels, each computed only when tfjs asks for it (never for the image).
 */
import * as tf from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { RELU_GRAD } from './channel-binary';
import { CHANNEL_KERNEL_MIN_ELEMENTS } from './channel-reduce';
import { directConv, directConvApplies } from './conv-direct';
import { RELU_GRAD_BIAS_SUM } from './relu-bias-grad';
import { markReluOutput, maskedGradSums } from './relu-grad-handoff';
import { WasmHeap } from './wasm-heap';

export const CONV_BIAS_RELU = 'XrayLabConvBiasRelu';

/** Attributes of CONV_BIAS_RELU. */
export interface ConvBiasReluAttrs {
  strides: [number, number];
  pad: 'same' | 'valid';
}

/** On wasm with SIMD, stride 1, float32: the direct SIMD convolution (kernels/conv-direct.ts); else null. */
function tryDirect(backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: ConvBiasReluAttrs): TensorInfo | null {
  const { x, filter, bias } = inputs;
  if (x == null || filter == null || bias == null || [x, filter, bias].some((t) => t.dtype !== 'float32')) return null;
  const heap = WasmHeap.of(backend);
  if (heap?.simd() == null) return null;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    undefined,
    false,
    'channelsLast',
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const geometry = {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fh: info.filterHeight,
    fw: info.filterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    bias: true,
    relu: true,
    stats: true,
  };
  return directConvApplies(geometry) ? directConv(heap, x, filter, bias, geometry) : null;
}

/** Kernel function for `backendName`: the direct SIMD convolution where it applies, else its FusedConv2D with a ReLU. */
export function makeConvBiasReluKernel(backendName: string): KernelFunc {
  return (args) => {
    const fused: KernelConfig | undefined = tf.getKernel('FusedConv2D', backendName);
    if (fused == null) throw new Error(`${CONV_BIAS_RELU}: no FusedConv2D kernel on '${backendName}'`);
    const { strides, pad } = args.attrs as unknown as ConvBiasReluAttrs;
    const inputs = args.inputs as NamedTensorInfoMap;
    const attrs = {
      strides,
      pad,
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
      activation: 'relu',
    };
    const out =
      (backendName === 'wasm' ? tryDirect(args.backend as KernelBackend, inputs, { strides, pad }) : null) ??
      (fused.kernelFunc({
        inputs: { x: inputs.x, filter: inputs.filter, bias: inputs.bias },
        backend: args.backend,
        attrs: attrs as unknown as NonNullable<typeof args.attrs>,
      }) as TensorInfo);
    // A BatchNormalization after this layer may hand its gradient over masked (relu-grad-handoff.ts).
    markReluOutput(out.dataId, out.shape);
    return out;
  };
}

/**
 * dz = dy where y > 0 (else 0) and Σdz per channel: one pass where that gives the very numbers of the mask and the
 * Sum kernel it replaces (wasm, at least as many elements as the fast Sum takes: the same float32 partials and
 * float64 totals in the same parts), else the mask and tfjs's Sum, so training follows the same path to the bit.
 */
function maskedGradAndSum(dy: tf.Tensor, y: tf.Tensor): [tf.Tensor, tf.Tensor] {
  // Masked already, with its sums, by the BatchNormalization after this layer (relu-grad-handoff.ts).
  const sums = maskedGradSums(dy, y);
  if (sums != null) return [dy, sums];
  const backend = tf.getBackend();
  const fusedSumMatches = backend === 'wasm' && y.size >= CHANNEL_KERNEL_MIN_ELEMENTS;
  if (fusedSumMatches && tf.getKernel(RELU_GRAD_BIAS_SUM, backend) != null) {
    return tf.engine().runKernel(RELU_GRAD_BIAS_SUM, { dy, x: y }, {}) as unknown as [tf.Tensor, tf.Tensor];
  }
  const dz =
    tf.getKernel(RELU_GRAD, backend) != null
      ? (tf.engine().runKernel(RELU_GRAD, { dy, x: y }, {}) as tf.Tensor)
      : tf.mul(dy, tf.step(y));
  return [dz, tf.sum(dz, [0, 1, 2])];
}

let gradientInstalled = false;

/** Registers CONV_BIAS_RELU's gradient (once). */
export function installConvBiasReluGradient(): void {
  if (gradientInstalled) return;
  tf.registerGradient({
    kernelName: CONV_BIAS_RELU,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved;
      const { strides, pad } = attrs as unknown as ConvBiasReluAttrs;
      // Computed now (inside the backward pass's scope, which frees them): every requested gradient needs dz.
      const [dz, db] = maskedGradAndSum(dy as tf.Tensor, y);
      const common = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
      return {
        x: () =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter }, {
            ...common,
            inputShape: x.shape,
          } as never) as tf.Tensor,
        filter: () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, {
            ...common,
            filterShape: filter.shape,
          } as never) as tf.Tensor,
        bias: () => tf.reshape(db, db.shape),
      };
    },
  });
  gradientInstalled = true;
}

/** True when `convBiasRelu` can run as one kernel on the current backend (wasm and cpu with the fast kernels). */
export function convBiasReluActive(): boolean {
  return tf.getKernel(CONV_BIAS_RELU, tf.getBackend()) != null;
}

/**
 * relu(conv2d(x, filter, strides, pad) + bias) for float32 NHWC input; the caller checked `convBiasReluActive()`.
 */
export function convBiasRelu(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  strides: [number, number],
  pad: 'same' | 'valid',
): tf.Tensor4D {
  const attrs: ConvBiasReluAttrs = { strides, pad };
  return tf.engine().runKernel(CONV_BIAS_RELU, { x, filter, bias }, attrs as never) as tf.Tensor4D;
}
