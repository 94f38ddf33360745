import { describe, expect, it } from 'vitest';
import { matchWeights, WeightsMismatchError, type TargetLayer } from '../../src/lab/transfer/match-weights';
import { inferLayerKind, type SourceLayer, type SourceWeights } from '../../src/lab/transfer/source-weights';

// A tiny InceptionV3-like chain: three bias-free convolutions, each followed by a scale-free BatchNorm.
const shapes = [
  [3, 3, 3, 4],
  [1, 1, 4, 6],
  [3, 3, 6, 8],
];
const targets: TargetLayer[] = shapes.flatMap((kernel, i) => [
  { name: `conv2d_${i + 1}`, kind: 'conv' as const, weights: [{ name: 'kernel', shape: kernel }] },
  {
    name: `batch_normalization_${i + 1}`,
    kind: 'batchnorm' as const,
    weights: ['beta', 'moving_mean', 'moving_variance'].map((name) => ({ name, shape: [kernel[3]] })),
  },
]);

/** Source layers with our shapes; values tell which target layer they were made for. */
function sourceFor(
  rename: (name: string) => string = (n) => n,
  edit?: (layers: SourceLayer[]) => SourceLayer[],
): SourceWeights {
  let layers: SourceLayer[] = targets.map((t, i) => {
    const weights = t.weights.map((w) => ({
      name: w.name,
      shape: [...w.shape],
      values: new Float32Array(w.shape.reduce((a, b) => a * b, 1)).fill(i),
    }));
    return { name: rename(t.name), kind: inferLayerKind(weights), weights };
  });
  if (edit) layers = edit(layers);
  return { format: 'keras-h5', origin: 'test.h5', layers };
}

const keras24 = (name: string) => name.replace(/_(\d+)$/, (_, n) => (Number(n) === 1 ? '' : `_${Number(n) - 1}`));

describe('matchWeights', () => {
  it("pairs layers by name and lists the file's extra layers as unused", () => {
    const source = sourceFor(undefined, (layers) => [
      ...layers,
      {
        name: 'predictions',
        kind: 'dense',
        weights: [
          { name: 'kernel', shape: [8, 10], values: new Float32Array(80) },
          { name: 'bias', shape: [10], values: new Float32Array(10) },
        ],
      },
    ]);
    const match = matchWeights(targets, source, 'TinyNet');
    expect(match.mode).toBe('name');
    expect(match.pairs.map((p) => p.source.name)).toEqual(targets.map((t) => t.name));
    expect(match.unused).toEqual(['predictions']);
  });

  it('falls back to order within each kind for Keras ≥ 2.4 names (conv2d, conv2d_1, …), pairing the same layers', () => {
    const match = matchWeights(targets, sourceFor(keras24), 'TinyNet');
    expect(match.mode).toBe('order');
    // Each source layer's values are its target's index: order mode must pair conv2d with conv2d_1, and so on.
    match.pairs.forEach((p, i) => expect(p.source.weights[0].values[0]).toBe(i));
    expect(match.pairs[0].source.name).toBe('conv2d');
  });

  it('pairs in order when the file names its layers otherwise (a model saved from tfjs)', () => {
    const source = sourceFor((n) =>
      `layer_${n.length}_${n}`.replace('conv2d', 'Conv').replace('batch_normalization', 'BN'),
    );
    const match = matchWeights(targets, source, 'TinyNet');
    expect(match.mode).toBe('order');
    match.pairs.forEach((p, i) => expect(p.source.weights[0].values[0]).toBe(i));
  });

  it('names the first missing layer', () => {
    const source = sourceFor(undefined, (layers) => layers.filter((l) => l.name !== 'conv2d_3'));
    expect(() => matchWeights(targets, source, 'TinyNet')).toThrow(WeightsMismatchError);
    expect(() => matchWeights(targets, source, 'TinyNet')).toThrow(
      /test\.h5 does not fit TinyNet: layer conv2d_3: missing from the file \(5 of 6 layers found by name\)/,
    );
  });

  it('names the first layer whose shape differs, with both shapes', () => {
    const source = sourceFor(undefined, (layers) =>
      layers.map((l) =>
        l.name !== 'conv2d_2'
          ? l
          : {
              ...l,
              weights: [{ name: 'kernel', shape: [1, 1, 4, 7], values: new Float32Array(28) }],
            },
      ),
    );
    expect(() => matchWeights(targets, source, 'TinyNet')).toThrow(
      'layer conv2d_2: kernel is [1, 1, 4, 6] in the network but [1, 1, 4, 7] in the file',
    );
  });

  it("refuses a BatchNorm with a gamma the network lacks (another network's file)", () => {
    const source = sourceFor(undefined, (layers) =>
      layers.map((l) =>
        l.kind !== 'batchnorm'
          ? l
          : {
              ...l,
              weights: [
                { name: 'gamma', shape: l.weights[0].shape, values: new Float32Array(l.weights[0].values.length) },
                ...l.weights,
              ],
            },
      ),
    );
    expect(() => matchWeights(targets, source, 'TinyNet')).toThrow(
      /layer batch_normalization_1: the file has gamma, which the network's layer lacks/,
    );
  });

  it('says how many layers of a kind the file has when it has too few (in order mode)', () => {
    const source = sourceFor(keras24, (layers) => layers.slice(0, 4));
    expect(() => matchWeights(targets, source, 'TinyNet')).toThrow(
      /layer conv2d_3: the file has 2 conv layer\(s\), fewer than the network/,
    );
  });

  it('refuses a file without weights', () => {
    expect(() => matchWeights(targets, { format: 'keras-h5', origin: 'empty.h5', layers: [] }, 'TinyNet')).toThrow(
      /holds no layer weights/,
    );
  });
});
