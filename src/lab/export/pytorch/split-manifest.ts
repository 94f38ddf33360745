import type { ImageSet } from '../../data/image-set';
import type { ManifestEntry, SplitManifest } from './project-spec';

/**
 * The split manifest of a run's data: each image by its path as the lab read it (relative to the dataset folder or
 * zip it scanned) and its class name. `prefix` is put before every path of a split whose images came from another
 * root (e.g. 'test/' for a separate --test folder laid out there).
 */
export function splitManifestOf(
  sets: { train: ImageSet; val: ImageSet | null; test: ImageSet },
  prefix: Partial<Record<keyof SplitManifest, string>> = {},
): SplitManifest {
  const entries = (set: ImageSet | null, split: keyof SplitManifest): ManifestEntry[] => {
    if (!set) return [];
    return Array.from({ length: set.count }, (_, i) => ({
      path: `${prefix[split] ?? ''}${set.files[i]}`,
      label: set.classNames[set.labels[i]],
    }));
  };
  return { train: entries(sets.train, 'train'), val: entries(sets.val, 'val'), test: entries(sets.test, 'test') };
}
