/**
 * Where a feature map's cells sit in the image, worked out by hand for the layers the lab's networks use, and the
 * upsampling that puts each cell over its receptive-field centre.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsampleBilinear } from '../../src/lab/explain/heat-map';
import { mapGeometry, stretchGeometry } from '../../src/lab/explain/map-geometry';
import { findGradCamTarget } from '../../src/lab/explain/target-layer';
import { buildConv2DBaseline } from '../../src/lab/models/conv2d-baseline';
import { buildLightLayersNet } from '../../src/lab/models/lightlayers-net';
import { useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

/** The geometry of the output of a chain of layers applied to a square `size` image. */
function geometryOf(size: number, layers: tf.layers.Layer[]) {
  let x: tf.SymbolicTensor = tf.input({ shape: [size, size, 1] });
  for (const layer of layers) x = layer.apply(x) as tf.SymbolicTensor;
  return mapGeometry(x, size).x;
}

describe('mapGeometry', () => {
  it('shifts by half the kernel for each valid convolution, not at all for same padding', () => {
    expect(geometryOf(10, [tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same' })])).toEqual({
      scale: 1,
      offset: 0,
    });
    expect(
      geometryOf(10, [
        tf.layers.conv2d({ filters: 1, kernelSize: 3 }),
        tf.layers.conv2d({ filters: 1, kernelSize: 5 }),
      ]),
    ).toEqual({ scale: 1, offset: 3 });
    // Dilation 2 makes a 3×3 kernel reach 5 pixels.
    expect(geometryOf(10, [tf.layers.conv2d({ filters: 1, kernelSize: 3, dilationRate: 2 })])).toEqual({
      scale: 1,
      offset: 2,
    });
  });

  it("follows strides, TensorFlow's same padding (smaller half first) and explicit zero padding", () => {
    // 2×2 pool: output o covers input 2o and 2o + 1.
    expect(geometryOf(8, [tf.layers.maxPooling2d({ poolSize: 2 })])).toEqual({ scale: 2, offset: 0.5 });
    // Even length 8, 3×3 stride 2 same: one pixel of padding, after → output o centred on input 2o + 1.
    expect(geometryOf(8, [tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2, padding: 'same' })])).toEqual({
      scale: 2,
      offset: 1,
    });
    // Odd length 9: two pixels, one before → centred on 2o.
    expect(geometryOf(9, [tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2, padding: 'same' })])).toEqual({
      scale: 2,
      offset: 0,
    });
    // MobileNetV2's stem: zero padding on the bottom/right only, then a valid stride-2 convolution.
    expect(
      geometryOf(8, [
        tf.layers.zeroPadding2d({
          padding: [
            [0, 1],
            [0, 1],
          ],
        }),
        tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2 }),
      ]),
    ).toEqual({ scale: 2, offset: 1 });
    expect(
      geometryOf(8, [
        tf.layers.zeroPadding2d({
          padding: [
            [1, 1],
            [1, 1],
          ],
        }),
        tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2 }),
      ]),
    ).toEqual({ scale: 2, offset: 0 });
  });

  it("places the plain CNN's map inside its valid-convolution border; LightLayers' spreads evenly", () => {
    // Per block: three valid 3×3 convolutions (+1 each, in the block's grid), then a 2×2 pool (×2, +0.5):
    // 3 → 3.5 (×2) → 3.5 + 2·3 = 9.5 → 9.5 + 2·0.5 = 10.5 (×4) → 10.5 + 4·3 = 22.5 at block3_conv3.
    const cnn = buildConv2DBaseline({ size: 96, channels: 1 });
    expect(findGradCamTarget(cnn).geometry).toEqual({ y: { scale: 4, offset: 22.5 }, x: { scale: 4, offset: 22.5 } });
    cnn.dispose();
    const light = buildLightLayersNet(2, { size: 128, channels: 1 });
    expect(findGradCamTarget(light).geometry).toEqual(stretchGeometry(32, 32, 128));
    light.dispose();
  });
});

describe('upsampleBilinear with a geometry', () => {
  it('puts each cell over its centre, holds the edge for half a cell, then fades to 0 over one cell', () => {
    // Four cells centred on pixels 3, 5, 7, 9 (scale 2, offset 3) of a 14-pixel row; one row only.
    const row = upsampleBilinear(Float32Array.from([1, 2, 3, 4]), 1, 4, 14, {
      y: { scale: 14, offset: 6.5 },
      x: { scale: 2, offset: 3 },
    });
    const first = Array.from(row.subarray(0, 14), (v) => Math.round(v * 100) / 100);
    // Pixel 2 is half a cell out (holds 1), pixel 1 one cell out (0.5), pixel 0 1.5 cells out (0);
    // pixels 10 and 11 likewise past the last cell at 9; 12 and 13 are beyond the fade.
    expect(first).toEqual([0, 0.5, 1, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4, 2, 0, 0]);
  });
});
