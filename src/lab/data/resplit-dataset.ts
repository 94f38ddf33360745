/**
 * A loaded dataset dealt into another split (fractions, seed) without decoding again: the store is reordered in
 * place (arrange.ts) and the summary recounts only what a split changes. Official splits, patients and duplicate
 * groups are the ones found at load, so the new split keeps them exactly as the first did.
 */
import { arrangeBySplit } from './arrange';
import { assignSplits, type SplitSettings } from './assign-splits';
import type { LoadedDataset } from './loaded-dataset';
import { summariseResplit } from './summary';

/** True when the two settings deal the same split. */
export function sameSplit(a: SplitSettings, b: SplitSettings): boolean {
  return (
    a.valFraction === b.valFraction &&
    a.testFraction === b.testFraction &&
    a.seed === b.seed &&
    a.keepOfficialVal === b.keepOfficialVal
  );
}

/**
 * `ds` split by `split`, or `ds` itself when it already is. The pixels are reordered IN PLACE: views taken of the
 * old sets show the new order afterwards, so a caller training on them must not re-split meanwhile.
 */
export function resplitDataset<T extends LoadedDataset>(ds: T, split: SplitSettings): T {
  if (sameSplit(ds.split, split)) return ds;
  const { images } = ds;
  const items = images.files.map((path, i) => ({
    path,
    label: images.labels[i],
    preset: ds.presets.get(path),
    patient: ds.patients?.get(path),
  }));
  // A table's val list or split column keeps its validation set, as at load.
  const plan = assignSplits(
    items,
    ds.duplicateGroups,
    ds.summary.table?.fixedVal ? { ...split, keepOfficialVal: true } : split,
  );
  const arranged = arrangeBySplit(images, plan.assignment);
  const placed = arranged.all.files.map((path, i) => ({
    path,
    label: arranged.all.labels[i],
    split: arranged.assignment[i],
    patient: ds.patients?.get(path),
  }));
  const summary = summariseResplit(ds.summary, placed, {
    valOrigin: plan.valOrigin,
    testOrigin: plan.testOrigin,
    splitSettings: split,
  });
  return {
    ...ds,
    images: arranged.all,
    sets: { train: arranged.train, val: arranged.val, test: arranged.test },
    split,
    summary,
  };
}
