/**
 * Fast `Conv2DBackpropFilter` (the weight gradient of a 2-D convolution), built from the backend's own forward Conv2D.
 *
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−pT, ow·s+kw−pL, ci] · dy[b,oh,ow,co]. Swapping batch and channels of x
 * (→ [Cin,H,W,B]) and using dy as a filter (→ [OH,OW,B,Cout]) turns this into one forward convolution with stride 1
 * and dilation s, whose output [Cin,FH,FW,Cout] is dW up to a transpose. On wasm that convolution runs in XNNPACK.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelBackend, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { filterGradAxis } from './conv-geometry';
import { directFilterGrad } from './filter-grad-direct';
import { KernelCalls, requireInput, runComposite } from './kernel-calls';
import { WasmHeap } from './wasm-heap';

/** Inputs and attributes as tfjs passes them to a `Conv2DBackpropFilter` kernel. */
export interface BackpropFilterArgs {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: Conv2DBackpropFilterAttrs;
}

/** Computes dW with `calls` (which owns every intermediate); returns the [FH,FW,Cin,Cout] result. */
export function backpropFilterWith(calls: KernelCalls, args: BackpropFilterArgs): TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  let x = requireInput(args.inputs, 'x');
  let dy = requireInput(args.inputs, 'dy');
  // NCHW is handled by converting to NHWC: the stock Conv2D of wasm only supports NHWC.
  if (dataFormat === 'NCHW') {
    x = calls.transpose(x, [0, 2, 3, 1]);
    dy = calls.transpose(dy, [0, 2, 3, 1]);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const [batch, inH, inW, inC] = x.shape;
  const [, outH, outW] = dy.shape;
  const rows = filterGradAxis({
    inSize: inH,
    outSize: outH,
    filterSize: info.filterHeight,
    stride: info.strideHeight,
    padBefore: info.padInfo.top,
  });
  const cols = filterGradAxis({
    inSize: inW,
    outSize: outW,
    filterSize: info.filterWidth,
    stride: info.strideWidth,
    padBefore: info.padInfo.left,
  });

  // Rows/columns the forward pass never read (valid padding with a stride that does not divide evenly) go.
  const xCrop = calls.slice(x, [0, rows.cropBefore, cols.cropBefore, 0], [batch, rows.keep, cols.keep, inC]);
  const xT = calls.transpose(xCrop, [3, 1, 2, 0]); // [Cin, H, W, B]: the batch becomes the reduction channel
  const dyT = calls.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, Cout]: dy acts as the filter
  const out = calls.conv2d(
    xT,
    dyT,
    [1, 1],
    [info.strideHeight, info.strideWidth],
    [
      [0, 0],
      [rows.padBefore, rows.padAfter],
      [cols.padBefore, cols.padAfter],
      [0, 0],
    ],
  );
  return calls.transpose(out, [1, 2, 0, 3]); // [Cin,FH,FW,Cout] → [FH,FW,Cin,Cout]
}

/** On wasm with SIMD, NHWC float32: the direct kernel (no transposes, no packing); else null. */
function tryDirect(backendName: string, args: BackpropFilterArgs): TensorInfo | null {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  const x = requireInput(args.inputs, 'x');
  const dy = requireInput(args.inputs, 'dy');
  if (backendName !== 'wasm' || dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const heap = WasmHeap.of(args.backend);
  if (heap?.simd() == null) return null;
  const shape = x.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    shape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return directFilterGrad(heap, x, dy, info);
}

/**
 * Kernel function for `tf.registerKernel`: on wasm the direct SIMD kernel (kernels/filter-grad-direct.ts), else
 * (cpu, NCHW, no SIMD) dW through the named backend's own Conv2D.
 */
export function makeBackpropFilterKernel(backendName: string, direct = true) {
  return (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo => {
    const filterArgs: BackpropFilterArgs = {
      inputs: args.inputs,
      backend: args.backend as KernelBackend,
      attrs: args.attrs as unknown as Conv2DBackpropFilterAttrs,
    };
    return (
      (direct ? tryDirect(backendName, filterArgs) : null) ??
      runComposite(filterArgs.backend, backendName, (calls) => backpropFilterWith(calls, filterArgs))
    );
  };
}

/**
 * dW through the backend's own kernels only (its Conv2D, Transpose, …: public kernel calls, no heap access), for a
 * backend that ships no Conv2DBackpropFilter (wasm) when the lab's own kernels are off.
 */
export function makeComposedFilterKernel(backendName: string) {
  return makeBackpropFilterKernel(backendName, false);
}
