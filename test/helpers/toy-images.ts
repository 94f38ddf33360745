import type { ImageSet } from '../../src/lab/data/image-set';
import { createRng } from '../../src/lab/util/rng';

/**
 * A tiny, trivially learnable ImageSet for trainer tests: class 1 images are brighter in their left half, class 0 in
 * their right half, plus seeded noise. Not X-ray-like; the phantom generator covers that.
 */
export function makeToyImageSet(count: number, size: number, channels: 1 | 3 = 1, seed = 7): ImageSet {
  const rng = createRng(seed);
  const per = size * size * channels;
  const pixels = new Uint8Array(count * per);
  const labels = new Int32Array(count);
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    labels[i] = label;
    files.push(`toy/${label}/${i}.png`);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const bright = x < size / 2 === (label === 1);
        const value = (bright ? 170 : 70) + rng.int(60) - 30;
        for (let c = 0; c < channels; c++) pixels[i * per + (y * size + x) * channels + c] = value;
      }
    }
  }
  return { size, channels, classNames: ['A', 'B'], pixels, labels, files, count };
}
