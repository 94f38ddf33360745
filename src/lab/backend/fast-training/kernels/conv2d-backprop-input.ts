/**
 * Fast `Conv2DBackpropInput` (the input gradient of a 2-D convolution, a.k.a. transposed convolution), built from
 * a forward convolution: the lab's direct SIMD one on wasm where it applies (kernels/conv-direct.ts), else the
 * backend's own Conv2D.
 *
 * dX is a "full" stride-1 convolution of dy with the spatially reversed kernel whose in/out channels are swapped.
 * For stride s > 1, dy first gets s−1 zeros after every row and column, which makes the relation stride 1 again.
 * Exact (no approximation); the zero insertion costs s² more arithmetic than strictly needed, still far below the
 * stock wasm kernel (a scalar loop) and the stock cpu one.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelBackend, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { inputGradAxis } from './conv-geometry';
import { directConv, directConvApplies } from './conv-direct';
import { KernelCalls, requireInput, runComposite, type Explicit4DPadding } from './kernel-calls';
import { WasmHeap } from './wasm-heap';

/** Inputs and attributes as tfjs passes them to a `Conv2DBackpropInput` kernel. */
export interface BackpropInputArgs {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: Conv2DBackpropInputAttrs;
}

/** dy [B,OH,OW,C] → [B,OH·sh,OW·sw,C] with sh−1 / sw−1 zeros after each row / column. */
function insertZeros(calls: KernelCalls, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [b, h, w, c] = dy.shape;
  const split = calls.reshape(dy, [b, h, 1, w, 1, c]);
  const padded = calls.pad(split, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return calls.reshape(padded, [b, h * sh, w * sw, c]);
}

/**
 * The stride-1 convolution of x with filter and explicit padding through the direct SIMD kernel on wasm
 * (kernels/conv-direct.ts), owned by `calls`; null where that kernel does not apply.
 */
function directStride1(
  calls: KernelCalls,
  x: TensorInfo,
  filter: TensorInfo,
  pads: Explicit4DPadding,
): TensorInfo | null {
  if (calls.backendName !== 'wasm' || x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const heap = WasmHeap.of(calls.backend);
  if (heap?.simd() == null) return null;
  const [batch, inH, inW, inC] = x.shape;
  const [fh, fw, , outC] = filter.shape;
  const geometry = {
    batch,
    inH,
    inW,
    inC,
    outC,
    fh,
    fw,
    outH: inH + pads[1][0] + pads[1][1] - fh + 1,
    outW: inW + pads[2][0] + pads[2][1] - fw + 1,
    padTop: pads[1][0],
    padLeft: pads[2][0],
    bias: false,
    relu: false,
    stats: false,
  };
  if (!directConvApplies(geometry)) return null;
  const out = directConv(heap, x, filter, null, geometry);
  return out == null ? null : calls.adopt(out);
}

/** Computes dX with `calls` (which owns every intermediate); returns it in the attrs' data format. */
export function backpropInputWith(calls: KernelCalls, args: BackpropInputArgs): TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs;
  const filter = requireInput(args.inputs, 'filter');
  let dy = requireInput(args.inputs, 'dy');
  const nchw = dataFormat === 'NCHW';
  // Work in NHWC (the only layout wasm's Conv2D accepts) and convert back at the end.
  const [batch, inH, inW, inC] = nchw ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]] : inputShape;
  if (nchw) dy = calls.transpose(dy, [0, 2, 3, 1]);
  const info = backend_util.computeConv2DInfo(
    [batch, inH, inW, inC],
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const [, outH, outW, outC] = dy.shape;
  const rows = inputGradAxis({
    inSize: inH,
    outSize: outH,
    filterSize: info.filterHeight,
    stride: info.strideHeight,
    padBefore: info.padInfo.top,
  });
  const cols = inputGradAxis({
    inSize: inW,
    outSize: outW,
    filterSize: info.filterWidth,
    stride: info.strideWidth,
    padBefore: info.padInfo.left,
  });

  const up = insertZeros(calls, dy, info.strideHeight, info.strideWidth);
  const upCrop = calls.slice(up, [0, rows.cropBefore, cols.cropBefore, 0], [batch, rows.keep, cols.keep, outC]);
  // Reversing both spatial axes and swapping in/out channels turns the forward kernel into its adjoint.
  const flipped = calls.reverse(filter, [0, 1]);
  const adjoint = calls.transpose(flipped, [0, 1, 3, 2]); // [FH, FW, Cout, Cin]
  const pads: Explicit4DPadding = [
    [0, 0],
    [rows.padBefore, rows.padAfter],
    [cols.padBefore, cols.padAfter],
    [0, 0],
  ];
  const dx = directStride1(calls, upCrop, adjoint, pads) ?? calls.conv2d(upCrop, adjoint, [1, 1], [1, 1], pads);
  return nchw ? calls.transpose(dx, [0, 3, 1, 2]) : dx;
}

/** Kernel function for `tf.registerKernel`: dX through the named backend's own Conv2D. */
export function makeBackpropInputKernel(backendName: string) {
  return (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo => {
    const inputArgs: BackpropInputArgs = {
      inputs: args.inputs,
      backend: args.backend as KernelBackend,
      attrs: args.attrs as unknown as Conv2DBackpropInputAttrs,
    };
    return runComposite(inputArgs.backend, backendName, (calls) => backpropInputWith(calls, inputArgs));
  };
}
