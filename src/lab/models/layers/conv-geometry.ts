/** Output length of one convolution or pooling along an axis, as Keras computes it (dilation 1). */
export function convOutputLength(
  length: number | null,
  kernel: number,
  padding: 'same' | 'valid',
  stride: number,
): number | null {
  if (length == null) return null;
  const span = padding === 'same' ? length : length - kernel + 1;
  return Math.ceil(span / stride);
}
