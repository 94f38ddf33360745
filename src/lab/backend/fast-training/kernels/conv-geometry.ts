/**
 * Index arithmetic for rewriting the two convolution gradients as forward convolutions.
 *
 * The forward NHWC convolution (dilation 1) reads input row `o·s + k − padTop` for output row `o` and filter row `k`.
 * Both gradients are sums over that same relation, so each can be re-expressed as an ordinary convolution once the
 * operand that plays the "input" role is padded (or cropped, where a padding would be negative) to the exact extent
 * the relation touches. These helpers compute those extents per spatial axis; the kernels apply them to rows and
 * columns alike.
 */

/** Geometry of one spatial axis of a forward convolution. */
export interface AxisGeometry {
  /** Input length (rows or columns of x). */
  inSize: number;
  /** Output length (rows or columns of dy). */
  outSize: number;
  /** Filter length. */
  filterSize: number;
  stride: number;
  /** Zero padding before the first input element, as the forward pass used it. */
  padBefore: number;
}

/** How to shape one axis of the operand that feeds a rewritten convolution. */
export interface AxisPlan {
  /** Elements to drop from the start of the operand (a negative padding). */
  cropBefore: number;
  /** Length kept after cropping. */
  keep: number;
  /** Zeros the convolution adds before the kept range. */
  padBefore: number;
  /** Zeros the convolution adds after the kept range. */
  padAfter: number;
}

/** Turns a wanted padding on each side of a length-`size` operand into pad-or-crop amounts. */
function padOrCrop(size: number, before: number, after: number): AxisPlan {
  const cropBefore = Math.max(0, -before);
  const cropAfter = Math.max(0, -after);
  return {
    cropBefore,
    keep: size - cropBefore - cropAfter,
    padBefore: Math.max(0, before),
    padAfter: Math.max(0, after),
  };
}

/**
 * Filter gradient: dW[k] = Σ_o x[o·s + k − p] · dy[o]. Read as a convolution over x (batch and channels swapped)
 * whose "filter" is dy, with dilation s and stride 1, it must produce exactly `filterSize` outputs; so x is padded by
 * `p` before, and after by whatever makes the last output reach `(filterSize−1) + (outSize−1)·s − p`.
 */
export function filterGradAxis(g: AxisGeometry): AxisPlan {
  const lastRead = g.filterSize - 1 + (g.outSize - 1) * g.stride - g.padBefore;
  return padOrCrop(g.inSize, g.padBefore, lastRead + 1 - g.inSize);
}

/**
 * Input gradient: dX[i] = Σ_k dy_up[i + p − k] · W[k], where dy_up is dy with `stride − 1` zeros after every
 * element (length `outSize·stride`). With the filter reversed this is a stride-1 convolution over dy_up padded by
 * `filterSize − 1 − p` before, and after by whatever makes the last read reach `inSize − 1 + p`.
 */
export function inputGradAxis(g: AxisGeometry): AxisPlan {
  const upSize = g.outSize * g.stride;
  const before = g.filterSize - 1 - g.padBefore;
  const lastRead = g.inSize - 1 + g.padBefore;
  return padOrCrop(upSize, before, lastRead + 1 - upSize);
}
