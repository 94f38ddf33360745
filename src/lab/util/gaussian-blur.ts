/**
 * Separable Gaussian blur of one square image (size × size × channels, HWC) held as floats, in place: radius ⌈3σ⌉,
 * edge pixels repeated. Shared by test-set shifts (a whole set blurred alike) and augmentation (one image at a time).
 */
export function gaussianBlurInPlace(
  image: Float32Array | Float64Array,
  size: number,
  channels: number,
  sigma: number,
): void {
  if (!(sigma > 0)) return;
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k] /= sum;
  const row = new Float64Array(size * size);
  const clamp = (i: number) => (i < 0 ? 0 : i >= size ? size - 1 : i);
  for (let c = 0; c < channels; c++) {
    const at = (y: number, x: number) => (y * size + x) * channels + c;
    // Horizontal pass into a float64 buffer, vertical pass back into the image.
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * image[at(y, clamp(x + k))];
        row[y * size + x] = acc;
      }
    }
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * row[clamp(y + k) * size + x];
        image[at(y, x)] = acc;
      }
    }
  }
}
