/** Thrown when a model is asked for an input it cannot take; the message says the smallest size it accepts. */
export class InputSizeError extends Error {
  constructor(
    readonly modelId: string,
    readonly size: number,
    readonly minSize: number,
    reason: string,
  ) {
    super(`${modelId} needs an input of at least ${minSize}×${minSize} (got ${size}×${size}): ${reason}`);
    this.name = 'InputSizeError';
  }
}

/** Whether a model whose smallest input side is `minSize` takes `size`×`size` images: the check before any run. */
export function takesInputSize(model: { readonly minSize: number }, size: number): boolean {
  return size >= model.minSize;
}

/** Smallest input side that survives `blocks` of [`shrinkPerBlock` lost by valid convolutions, then a 2×2 pool]. */
export function smallestInputSize(blocks: number, shrinkPerBlock: number): number {
  let side = 1;
  for (let b = 0; b < blocks; b++) side = side * 2 + shrinkPerBlock;
  return side;
}
