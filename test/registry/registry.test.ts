import { beforeAll, describe, expect, it } from 'vitest';
import { InputSizeError, measureModelSize } from '../../src/lab/models';
import { BackboneNotLoadedError, findModel, MODEL_REGISTRY, UnknownModelError } from '../../src/lab/registry';
import { buildTransferHead } from '../../src/lab/models/transfer-head';
import { useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

// The study's published totals at 299×299×3.
const STUDY_COUNTS: Record<string, [number, number]> = {
  cnn: [31_074, 30_738],
  'light-k1': [2_753, 2_417],
  'light-k2': [4_600, 4_264],
  'light-k3': [6_447, 6_111],
  'light-k4': [8_294, 7_958],
  'light-k5': [10_141, 9_805],
};

describe('model registry', () => {
  it('lists cnn, light-k1..k5, inception-v3 and mobilenet-v2, each with a description', () => {
    expect(MODEL_REGISTRY.map((e) => e.id)).toEqual([
      'cnn',
      'light-k1',
      'light-k2',
      'light-k3',
      'light-k4',
      'light-k5',
      'inception-v3',
      'mobilenet-v2',
    ]);
    for (const entry of MODEL_REGISTRY) expect(entry.description.length).toBeGreaterThan(20);
  });

  for (const [id, [total, trainable]] of Object.entries(STUDY_COUNTS)) {
    it(`${id} has the study's ${total.toLocaleString('en')} parameters at 299×299×3`, () => {
      const model = findModel(id).build({ size: 299, channels: 3 });
      expect(measureModelSize(model)).toEqual({ params: total, trainableParams: trainable, bytes: total * 4 });
      expect(model.outputs[0].shape).toEqual([null, 2]);
      model.dispose();
    });
  }

  it('counts depend on channels but not on the input size (global pooling)', () => {
    const at = (size: number, channels: 1 | 3) =>
      measureModelSize(findModel('light-k2').build({ size, channels })).params;
    expect(at(64, 3)).toBe(4_600);
    // One input channel fewer removes 2 (first LightConv2D) + 2 (shortcut) weights per rank-2 factor column: 9·2·2 + 1·2·2.
    expect(at(64, 3) - at(64, 1)).toBe(9 * 2 * 2 + 2 * 2);
  });

  it("refuses inputs below each model's minimum with the reason", () => {
    expect(findModel('cnn').minSize).toBe(50);
    expect(findModel('light-k3').minSize).toBe(8);
    expect(() => findModel('cnn').build({ size: 49 })).toThrow(InputSizeError);
    expect(() => findModel('cnn').build({ size: 32 })).toThrow('cnn needs an input of at least 50×50 (got 32×32)');
    expect(() => findModel('light-k1').build({ size: 7 })).toThrow(/at least 8×8/);
    expect(() => findModel('cnn').build({ size: 50 }).dispose()).not.toThrow();
    expect(() => findModel('light-k1').build({ size: 8 }).dispose()).not.toThrow();
  });

  it('resolves light-kN beyond 5 and rejects unknown ids', () => {
    expect(measureModelSize(findModel('light-k6').build({ size: 16 })).params).toBe(10_141 + 1_847);
    expect(() => findModel('resnet')).toThrow(UnknownModelError);
    expect(() => findModel('resnet')).toThrow(/unknown model id "resnet"/);
  });

  it('measures inception-v3 as the study: 21,806,882 parameters, 4,098 trainable (frozen backbone)', () => {
    expect(findModel('inception-v3').measure({ size: 299 })).toEqual({
      params: 21_806_882,
      trainableParams: 4_098,
      bytes: 21_806_882 * 4,
    });
    expect(() => findModel('inception-v3').measure({ size: 74 })).toThrow(/at least 75×75/);
  });

  it('reports that inception-v3 and mobilenet-v2 have no backbone loaded, saying what they need', () => {
    expect(() => findModel('inception-v3').build()).toThrow(BackboneNotLoadedError);
    expect(() => findModel('inception-v3').build()).toThrow(
      /InceptionV3 needs ImageNet weights: .*inception_v3_weights_tf_dim_ordering_tf_kernels_notop\.h5/,
    );
    expect(() => findModel('mobilenet-v2').build({ size: 224 })).toThrow(
      /mobilenet-v2: backbone not loaded — MobileNetV2 needs ImageNet weights/,
    );
  });

  it('measures mobilenet-v2 (α 1.0 until weights say otherwise): 2,257,984 + a 2,562-parameter head', () => {
    expect(findModel('mobilenet-v2').measure({ size: 224 })).toEqual({
      params: 2_260_546,
      trainableParams: 2_562,
      bytes: 2_260_546 * 4,
    });
    expect(findModel('mobilenet-v2').minSize).toBe(32);
    expect(findModel('mobilenet-v2').pixelRange).toBe('-1,1');
  });

  it('builds the transfer head: Dense(2) on 2,048 features = 4,098 parameters', () => {
    expect(measureModelSize(buildTransferHead({ features: 2048 })).params).toBe(4_098);
    expect(measureModelSize(buildTransferHead({ features: 2048, lightRank: 8 })).params).toBe(2048 * 8 + 16 + 2);
  });

  it('builds identical weights for the same seed and different ones for another', () => {
    const weights = (seed: number) =>
      findModel('light-k2')
        .build({ size: 16, seed })
        .getWeights()
        .map((w) => Array.from(w.dataSync()));
    expect(weights(3)).toEqual(weights(3));
    expect(weights(3)).not.toEqual(weights(4));
  });
});
