/**
 * A recipe in words: what the page shows next to the results table and the model card lists. Names each ingredient
 * the experiment trains with, and says where the settings depart from the recipe they name.
 */
import { RECIPE_KEYS, withRecipe, type Experiment } from './schema';

/** Each ingredient that is on, in words (the study's protocol has none). */
export function recipeIngredients(s: Experiment): string[] {
  const out: string[] = [];
  if (s.augment && s.siteAugment)
    out.push('augmentation: flips, ±10° turns, shift and zoom, brightness, contrast, gamma, blur and noise');
  else if (s.augment) out.push('augmentation: flips, ±10° turns, shift and zoom, brightness and contrast');
  else if (s.siteAugment) out.push('augmentation: brightness, contrast, gamma, blur and noise');
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
