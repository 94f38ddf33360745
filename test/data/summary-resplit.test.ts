/** A new split of the same images: the summary's split counts recounted, what the split cannot change carried over. */
import { describe, expect, it } from 'vitest';
import type { SplitName } from '../../src/lab/data/layout';
import { summarise, summariseResplit, type SummaryInput, type SummaryItem } from '../../src/lab/data/summary';

const formats = ['png', 'jpeg'] as const;
const item = (i: number, split: SplitName): SummaryItem => ({
  path: `img/${i % 2 === 0 ? 'NORMAL' : 'PNEUMONIA'}/person${i % 5}_${i}.png`,
  label: i % 2,
  split,
  width: 100 + i,
  height: 200 - i,
  format: formats[i % 2],
});

const first: SummaryInput = {
  source: { name: 'data', kind: 'files' },
  classNames: ['NORMAL', 'PNEUMONIA'],
  positiveClass: 1,
  hasSplitFolders: false,
  nestedCopy: '',
  items: Array.from({ length: 12 }, (_, i) => item(i, i < 8 ? 'train' : i < 10 ? 'val' : 'test')),
  skipped: [
    { path: 'b.txt', reason: 'not an image' },
    { path: 'a.txt', reason: 'not an image' },
  ],
  duplicateGroups: [['img/NORMAL/person0_0.png', 'img/NORMAL/person0_10.png']],
  valOrigin: 'carved',
  testOrigin: 'carved',
  splitSettings: { valFraction: 0.2, testFraction: 0.2, seed: 1, keepOfficialVal: false },
  bytesRead: 1234,
  store: { size: 16, channels: 1, bytes: 12 * 256 },
  aborted: false,
};

describe('summariseResplit', () => {
  it('gives what summarising the newly split images would, without their sizes and formats', () => {
    const prev = summarise(first);
    const items = Array.from({ length: 12 }, (_, i) => item(i, i % 3 === 0 ? 'test' : i % 4 === 1 ? 'val' : 'train'));
    const split = {
      valOrigin: 'carved' as const,
      testOrigin: 'carved' as const,
      splitSettings: { ...first.splitSettings, seed: 2 },
    };
    const placed = items.map(({ path, label, split: side }) => ({ path, label, split: side }));
    const again = summariseResplit(prev, placed, split);
    expect(again).toEqual(summarise({ ...first, ...split, items }));
    expect(again.imageSize).toEqual(prev.imageSize);
    expect(again.formats).toEqual({ png: 6, jpeg: 6 });
    expect(again.splits).not.toEqual(prev.splits);
  });

  it('counts patients by their table keys when the images have them', () => {
    const prev = summarise(first);
    const placed = first.items.map(({ path, label }, i) => ({
      path,
      label,
      split: 'train' as const,
      patient: `p${i % 3}`,
    }));
    const split = { valOrigin: 'none' as const, testOrigin: 'none' as const, splitSettings: first.splitSettings };
    const again = summariseResplit(prev, placed, split);
    expect(again.splits.train).toEqual({ count: 12, perClass: [6, 6], patients: 3 });
    expect(again.patients).toBe(3);
    expect(again.leaks).toEqual({ patients: 0, duplicateGroups: 0 });
  });
});
