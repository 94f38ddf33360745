import { describe, expect, it } from 'vitest';
import { confusionAccuracy, confusionMatrix } from '../../src/lab/eval/confusion-matrix';

describe('confusionMatrix', () => {
  it('counts rows as truth and columns as predictions', () => {
    // truth:      0 0 0 1 1 2 2 2
    // predicted:  0 1 0 1 2 2 0 2
    const m = confusionMatrix([0, 0, 0, 1, 1, 2, 2, 2], [0, 1, 0, 1, 2, 2, 0, 2], 3);
    expect(m).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [1, 0, 2],
    ]);
    expect(confusionAccuracy(m)).toBeCloseTo(5 / 8, 12);
  });

  it('keeps all-zero rows for classes that never occur', () => {
    expect(confusionMatrix(Int32Array.from([1, 1]), Int32Array.from([1, 0]), 3)).toEqual([
      [0, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });

  it('rejects mismatched lengths and labels out of range', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/2 entries/);
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow(/trueLabels\[1\] = 2/);
    expect(() => confusionMatrix([0, 1], [0, -1], 2)).toThrow(/predictedLabels\[1\] = -1/);
    expect(() => confusionMatrix([0.5], [0], 2)).toThrow(/trueLabels\[0\]/);
  });

  it('gives null accuracy for an empty matrix', () => {
    expect(confusionAccuracy(confusionMatrix([], [], 2))).toBeNull();
  });
});
