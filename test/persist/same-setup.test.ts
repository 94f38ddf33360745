/** The rule the worker's autosave and the page's table share: which results belong to one comparison. */
import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { sameSetup, unionExperiment } from '../../src/lab/persist/same-setup';

describe('sameSetup', () => {
  const base = defaultExperiment({ models: ['light-k2'], seeds: [1, 2] });

  it('ignores which models and later seeds, but not the first seed, which deals the split', () => {
    expect(sameSetup(base, { ...base, models: ['light-k3', 'light-k1'], seeds: [1, 5] })).toBe(true);
    expect(sameSetup(base, { ...base, seeds: [2, 1] })).toBe(false);
  });

  it('tells apart any other setting', () => {
    expect(sameSetup(base, { ...base, epochs: base.epochs + 1 })).toBe(false);
    expect(sameSetup(base, { ...base, learningRate: base.learningRate * 2 })).toBe(false);
  });
});

describe('unionExperiment', () => {
  it('widens the saved models and seeds by the new ones, in first-seen order', () => {
    const saved = defaultExperiment({ models: ['light-k2'], seeds: [1, 2] });
    const union = unionExperiment(saved, { ...saved, models: ['light-k3', 'light-k2'], seeds: [1, 3] });
    expect(union.models).toEqual(['light-k2', 'light-k3']);
    expect(union.seeds).toEqual([1, 2, 3]);
  });
});
