/**
 * The phantom generator's opacity masks: ground truth for the Grad-CAM pointing game. They must mark where the
 * renderer draws the pneumonia opacities, and asking for them must not change a single image byte.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { renderChest, renderOpacityMask, sampleAnatomy, sampleExposure } from '../../src/lab/data/phantom-render';
import { createRng } from '../../src/lab/util/rng';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('phantom opacity masks', () => {
  it('leave the images bit-identical to those generated before masks existed', () => {
    // Digests of generatePhantomImages' pixels recorded before this change (Node's V8; other engines may differ in
    // the last bit of Math.exp, see phantom.ts). Other tests and benchmarks rely on these exact images.
    const before: Array<[number, number, 1 | 3, number, string]> = [
      [12, 48, 1, 11, '4ee963b771430d2b734a13c983f53ebd5280ee4f013805d68267ba23392a3a6b'],
      [5, 64, 3, 2, '45bab433b7d6784e4dcfb1b5c7285cabb54a92f282048f1b814f717c0a4c0d50'],
    ];
    for (const [perClass, size, channels, seed, digest] of before) {
      const plain = generatePhantomImages({ perClass, size, channels, seed });
      const masked = generatePhantomImages({ perClass, size, channels, seed, opacityMasks: true });
      expect(sha256(plain.pixels)).toBe(digest);
      expect(sha256(masked.pixels)).toBe(digest);
      expect(masked.files).toEqual(plain.files);
    }
  });

  it('are empty for healthy images and cover a few percent of each pneumonia image', () => {
    const size = 64;
    const set = generatePhantomImages({ perClass: 20, size, channels: 1, seed: 5, opacityMasks: true });
    expect(set.opacityMasks).toHaveLength(set.count * size * size);
    expect('opacityMasks' in generatePhantomImages({ perClass: 1, size, channels: 1, seed: 5 })).toBe(false);
    for (let n = 0; n < set.count; n++) {
      const mask = set.opacityMasks.subarray(n * size * size, (n + 1) * size * size);
      const share = mask.reduce((s, v) => s + v, 0) / mask.length;
      if (set.labels[n] === 0) expect(share, set.files[n]).toBe(0);
      else {
        expect(share, set.files[n]).toBeGreaterThan(0.01);
        expect(share, set.files[n]).toBeLessThan(0.15);
      }
      expect(mask.every((v) => v === 0 || v === 1)).toBe(true);
    }
  });

  it('mark where the renderer adds the opacities: the same chest drawn without them differs inside the mask', () => {
    const size = 96;
    for (const [seed, disease] of [
      [1, 'bacteria'],
      [2, 'virus'],
      [3, 'bacteria'],
    ] as const) {
      const anatomy = sampleAnatomy(createRng(seed), disease);
      const exposure = sampleExposure(createRng(seed + 100), anatomy);
      // Same noise stream for both, so the difference is the opacities alone.
      const sick = renderChest(anatomy, exposure, size, createRng(seed + 200));
      const clear = renderChest(anatomy, { ...exposure, opacities: [] }, size, createRng(seed + 200));
      const mask = renderOpacityMask(anatomy, exposure, size);
      let inside = 0;
      let total = 0;
      for (let i = 0; i < size * size; i++) {
        const added = sick[i] - clear[i];
        total += Math.abs(added);
        if (mask[i]) inside += Math.abs(added);
        // Wherever an opacity brightens a pixel clearly, the mask says so.
        if (added > 0.1) expect(mask[i], `${disease} seed ${seed} pixel ${i}`).toBe(1);
      }
      expect(total).toBeGreaterThan(0);
      expect(inside / total, `${disease} seed ${seed}`).toBeGreaterThan(0.6);
      expect(renderOpacityMask(anatomy, { ...exposure, opacities: [] }, size).every((v) => v === 0)).toBe(true);
    }
  });
});
