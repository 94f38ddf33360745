/**
 * A generated image set (the demo's phantoms) as a loaded dataset: split by patient like any other data and
 * summarised, though it has no files to decode — so no skipped files, no duplicates, and sizes are the set's own.
 */
import { arrangeBySplit } from './arrange';
import { assignSplits, type SplitSettings } from './assign-splits';
import { identifyGenerated } from './data-identity';
import type { ImageSet } from './image-set';
import type { LoadedDataset } from './loaded-dataset';
import { storeBytes } from './memory';
import { positiveClassIndex, summarise } from './summary';

/** `set` split by `split`, summarised under `name`. The set's pixels are reordered in place: use the result. */
export function generatedDataset(set: ImageSet, split: SplitSettings, name: string): LoadedDataset {
  const plan = assignSplits(
    set.files.map((path, i) => ({ path, label: set.labels[i] })),
    [],
    split,
  );
  const arranged = arrangeBySplit(set, plan.assignment);
  const { all, assignment } = arranged;
  const summary = summarise({
    source: { name, kind: 'files' },
    classNames: [...set.classNames],
    positiveClass: positiveClassIndex(set.classNames),
    hasSplitFolders: false,
    nestedCopy: '',
    items: all.files.map((path, i) => ({
      path,
      label: all.labels[i],
      split: assignment[i],
      width: set.size,
      height: set.size,
      format: 'png' as const,
    })),
    skipped: [],
    duplicateGroups: [],
    valOrigin: plan.valOrigin,
    testOrigin: plan.testOrigin,
    splitSettings: split,
    bytesRead: 0,
    store: { size: set.size, channels: set.channels, bytes: storeBytes(set.count, set.size, set.channels) },
    aborted: false,
  });
  return {
    images: all,
    sets: { train: arranged.train, val: arranged.val, test: arranged.test },
    split,
    presets: new Map(),
    duplicateGroups: [],
    summary,
    identity: identifyGenerated(set),
  };
}
