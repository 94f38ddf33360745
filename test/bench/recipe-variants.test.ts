/**
 * The recipe bench's variants: the ablation flips each ingredient of the robust recipe relative to the recipe itself,
 * taking the "on" values from the recipe, so a change to the recipe cannot silently turn a removal into an addition.
 */
import { describe, expect, it } from 'vitest';
import { ABLATION, VARIANTS, variantExperiment } from '../../bench/recipe/variants';
import { RECIPE_KEYS, RECIPE_SETTINGS } from '../../src/lab/experiment/schema';

describe('recipe bench variants', () => {
  const robust = variantExperiment('robust', {});
  const differences = (name: string) =>
    RECIPE_KEYS.filter((key) => JSON.stringify(variantExperiment(name, {})[key]) !== JSON.stringify(robust[key]));

  it('flips one ingredient of the robust recipe per ablation variant, and only that', () => {
    const flipped = ABLATION.filter((name) => name !== 'study' && name !== 'robust');
    expect(flipped.length).toBeGreaterThanOrEqual(7);
    for (const name of flipped) expect(differences(name)).toHaveLength(1);
    // Every recipe-decided setting but the seed ensemble (a way of scoring, not of training) is flipped once.
    const covered = new Set(flipped.flatMap(differences));
    expect([...covered].sort()).toEqual(RECIPE_KEYS.filter((key) => key !== 'ensemble').sort());
  });

  it("names a removal robust-no-<x> and an addition robust+<x>, with the recipe's own values for what it has", () => {
    for (const name of ABLATION.filter((n) => n.startsWith('robust-no-'))) {
      const [key] = differences(name);
      expect(key in RECIPE_SETTINGS.robust).toBe(true);
      expect(variantExperiment(name, {})[key]).toEqual(variantExperiment('study', {})[key]);
    }
    for (const name of ABLATION.filter((n) => n.startsWith('robust+'))) {
      const [key] = differences(name);
      expect(robust[key]).toEqual(variantExperiment('study', {})[key]);
    }
    expect(VARIANTS['study+label-smoothing']).toEqual({
      recipe: 'study',
      labelSmoothing: RECIPE_SETTINGS.robust.labelSmoothing as number,
    });
    expect(() => variantExperiment('robust-no-magic', {})).toThrow(/unknown variant "robust-no-magic"/);
  });
});
