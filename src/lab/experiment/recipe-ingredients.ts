/**
 * A recipe in words: what the page shows next to the results table and the model card lists. Names each ingredient
 * the experiment trains with, and says where the settings depart from the recipe they name.
 */
import { isBackboneId } from '../transfer/backbones';
import { RECIPE_KEYS, withRecipe, type Experiment } from './schema';

const HEAD_ON_FEATURES = 'a transfer head trains on cached backbone features';

/** The augmentation the two switches ask for, in words, or null. */
function augmentationWords(s: Experiment): string | null {
  if (s.augment && s.siteAugment)
    return 'augmentation: flips, ±10° turns, shift and zoom, brightness, contrast, gamma, blur and noise';
  if (s.augment) return 'augmentation: flips, ±10° turns, shift and zoom, brightness and contrast';
  if (s.siteAugment) return 'augmentation: brightness, contrast, gamma, blur and noise';
  return null;
}

/** Each ingredient that is on, in words (the study's protocol has none). */
export function recipeIngredients(s: Experiment): string[] {
  const out: string[] = [];
  const augmentation = augmentationWords(s);
  // Transfer models take the rest of the recipe, but their images pass the backbone once, unaugmented.
  const transfer = s.models.filter(isBackboneId);
  if (augmentation && transfer.length === s.models.length) out.push(`no augmentation (${HEAD_ON_FEATURES})`);
  else if (augmentation && transfer.length > 0)
    out.push(`${augmentation}, except for ${transfer.join(', ')} (${HEAD_ON_FEATURES})`);
  else if (augmentation) out.push(augmentation);
  if (s.classWeights === 'balanced') out.push('balanced class weights');
  if (s.labelSmoothing > 0) out.push(`label smoothing ${s.labelSmoothing}`);
  if (s.lrSchedule === 'cosine') out.push('learning rate warmed up over one epoch, then cosine decay');
  if (s.valLoss === 'balanced') out.push('best epoch by the class-balanced validation loss');
  if (s.patience > 0) out.push(`early stopping after ${s.patience} epochs without improvement`);
  if (s.adaptBn) out.push('test-time BatchNorm adaptation');
  if (s.ensemble) out.push("the seeds' average scored as its own row");
  return out;
}

/** The recipe-decided settings that differ from the named recipe's, by flag name. */
export function recipeOverrides(s: Experiment): string[] {
  const pure = withRecipe(s, s.recipe);
  return RECIPE_KEYS.filter((key) => JSON.stringify(s[key]) !== JSON.stringify(pure[key]));
}

/** One line: `Recipe: robust (…ingredients…)`, with the departures when there are any. */
export function describeRecipe(s: Experiment): string {
  const ingredients = recipeIngredients(s);
  const changed = recipeOverrides(s);
  const name = s.recipe === 'study' ? "study (the study's protocol)" : s.recipe;
  return (
    `Recipe: ${name}${ingredients.length > 0 ? `: ${ingredients.join('; ')}` : ''}` +
    `${changed.length > 0 ? ` (changed from the recipe: ${changed.join(', ')})` : ''}.`
  );
}
