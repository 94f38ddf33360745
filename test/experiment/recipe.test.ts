import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/experiment-flags';
import { defaultExperiment, RECIPE_KEYS, RECIPE_SETTINGS, withRecipe } from '../../src/lab/experiment/schema';
import { runConfig } from '../../src/lab/experiment/run-config';
import { experimentFromParams, experimentToParams } from '../../src/lab/experiment/url-hash';
import { experimentFromJson } from '../../src/lab/experiment/validate';
import { STANDARD_AUGMENTATION, XRAY_AUGMENTATION } from '../../src/lab/data/augment';
import { describeRecipe, recipeIngredients, recipeOverrides } from '../../src/lab/experiment/recipe-ingredients';

const study = defaultExperiment({ recipe: 'study' });
const robust = defaultExperiment({ recipe: 'robust' });

describe('recipes: one schema field that decides the defaults of the ingredients', () => {
  it('gives the study its faithful protocol and the robust recipe every ingredient', () => {
    expect(study).toMatchObject({
      recipe: 'study',
      augment: false,
      siteAugment: false,
      classWeights: 'none',
      labelSmoothing: 0,
      lrSchedule: 'constant',
      valLoss: 'plain',
      adaptBn: false,
      ensemble: false,
    });
    expect(robust).toMatchObject({ recipe: 'robust', ...RECIPE_SETTINGS.robust });
    // Settings outside the recipes do not move.
    for (const key of ['size', 'epochs', 'learningRate', 'batchSize', 'seeds', 'bnMomentum'] as const)
      expect(robust[key]).toEqual(study[key]);
    expect(RECIPE_KEYS).toContain('labelSmoothing');
    expect(RECIPE_KEYS).not.toContain('epochs');
  });

  it('lets an explicit setting override its recipe, and withRecipe put the recipe back', () => {
    const noSmoothing = defaultExperiment({ recipe: 'robust', labelSmoothing: 0 });
    expect(noSmoothing.labelSmoothing).toBe(0);
    expect(noSmoothing.augment).toBe(true);
    expect(withRecipe(noSmoothing, 'robust')).toEqual(robust);
    expect(withRecipe({ ...robust, epochs: 7 }, 'study')).toEqual({ ...study, epochs: 7 });
  });

  it('reads the recipe and its overrides from the command line', () => {
    const parse = (...argv: string[]) => defaultExperiment(parseCommandLine(argv, {}, 'compare').settings);
    expect(parse('--recipe', 'robust')).toEqual(robust);
    expect(parse('--recipe', 'robust', '--augment=false').augment).toBe(false);
    expect(parse('--recipe', 'study', '--label-smoothing', '0.2')).toEqual({ ...study, labelSmoothing: 0.2 });
    expect(() => parse('--recipe', 'fast')).toThrow(/--recipe must be one of study, robust \(got "?fast"?\)/);
  });

  it('writes a recipe to a URL hash as one key, and reads it back whole', () => {
    expect(experimentToParams(robust, study)).toEqual([['recipe', 'robust']]);
    expect(experimentToParams(study, robust)).toEqual([['recipe', 'study']]);
    const tweaked = { ...robust, labelSmoothing: 0.2, epochs: 3 };
    const params = experimentToParams(tweaked, study);
    expect(params).toEqual([
      ['recipe', 'robust'],
      ['epochs', '3'],
      ['label-smoothing', '0.2'],
    ]);
    expect(experimentFromParams(new URLSearchParams(params), study).experiment).toEqual(tweaked);
    expect(experimentFromParams(new URLSearchParams('recipe=study'), robust).experiment).toEqual(study);
  });

  it('reads a record written before recipes existed as the study it followed', () => {
    const { recipe: _, siteAugment: _s, labelSmoothing: _l, lrSchedule: _r, valLoss: _v, ensemble: _e, ...old } = study;
    const read = experimentFromJson({ ...old, augment: true }, robust);
    expect(read.problems).toEqual([]);
    expect(read.experiment).toEqual({ ...study, augment: true });
    // A record that names its recipe starts from that recipe.
    expect(experimentFromJson({ recipe: 'robust', epochs: 4 }, study).experiment).toEqual({ ...robust, epochs: 4 });
  });

  it("turns the ingredients into the trainer's options", () => {
    const c = runConfig(robust, 3, 1);
    expect(c).toMatchObject({
      seed: 3,
      classWeights: 'balanced',
      labelSmoothing: 0.1,
      lrSchedule: 'constant',
      balancedValidation: true,
      adaptBn: false,
    });
    expect(c.augmentation).toEqual(XRAY_AUGMENTATION);
    expect(runConfig({ ...study, augment: true }, 1, 1).augmentation).toEqual(STANDARD_AUGMENTATION);
    const sitesOnly = runConfig({ ...study, siteAugment: true }, 1, 1).augmentation!;
    expect(sitesOnly).toMatchObject({
      flip: false,
      rotationDeg: 0,
      zoom: 0,
      gamma: XRAY_AUGMENTATION.gamma,
      noise: XRAY_AUGMENTATION.noise,
    });
    expect(runConfig(study, 1, 1)).toMatchObject({
      augmentation: null,
      labelSmoothing: 0,
      lrSchedule: 'constant',
      balancedValidation: false,
    });
  });

  it('names the ingredients in words, and where the settings leave their recipe', () => {
    expect(recipeIngredients(study)).toEqual([]);
    expect(describeRecipe(study)).toBe("Recipe: study (the study's protocol).");
    expect(recipeIngredients(robust)).toEqual([
      'augmentation: flips, ±10° turns, shift and zoom, brightness, contrast, gamma, blur and noise',
      'balanced class weights',
      'label smoothing 0.1',
      'best epoch by the class-balanced validation loss',
      "the seeds' average scored as its own row",
    ]);
    expect(recipeOverrides(robust)).toEqual([]);
    // Settings the robust recipe decides to leave off are still its own: turning one on departs from it.
    expect(RECIPE_KEYS).toEqual(expect.arrayContaining(['adaptBn', 'lrSchedule']));
    const tweaked = { ...robust, adaptBn: true, labelSmoothing: 0 };
    expect(recipeOverrides(tweaked)).toEqual(['labelSmoothing', 'adaptBn']);
    expect(describeRecipe(tweaked)).toMatch(
      /^Recipe: robust: augmentation: .* \(changed from the recipe: labelSmoothing, adaptBn\)\.$/,
    );
  });

  it('says that a transfer head is not augmented (it trains on cached backbone features)', () => {
    const mixed = { ...robust, models: ['cnn', 'inception-v3'] };
    expect(recipeIngredients(mixed)[0]).toBe(
      'augmentation: flips, ±10° turns, shift and zoom, brightness, contrast, gamma, blur and noise, except for ' +
        'inception-v3 (a transfer head trains on cached backbone features)',
    );
    expect(recipeIngredients({ ...robust, models: ['mobilenet-v2'] })).toEqual([
      'no augmentation (a transfer head trains on cached backbone features)',
      'balanced class weights',
      'label smoothing 0.1',
      'best epoch by the class-balanced validation loss',
      "the seeds' average scored as its own row",
    ]);
  });
});
