import { selectImages, countPerClass, type ImageSet } from '../lab/data/image-set';
import { DataError } from '../lab/data/errors';
import type { LayoutEntry, SkippedFile } from '../lab/data/layout';
import { loadImageSet, scanFolder } from '../lab/data/node/read-folder';
import { patientSplit, stratifiedSubset } from '../lab/data/split';
import { splitGroupKeys } from '../lab/data/split-groups';
import type { ExperimentData } from '../lab/experiment/run-model';

export interface PrepareOptions {
  data: string;
  test?: string;
  size: number;
  channels: 1 | 3;
  seed: number;
  valFraction: number;
  /** Share of --data held out for testing when there is no --test folder and no test/ split. */
  testFraction: number;
  limit?: number;
  /** Keep a dataset's own val/ folder instead of a patient-level split of train (the study's 16 images). */
  keepVal: boolean;
  log: (line: string) => void;
}

export interface PreparedData extends ExperimentData {
  classNames: string[];
  skipped: SkippedFile[];
  duplicateGroups: string[][];
  /** How the test set was obtained, for the report. */
  testSource: string;
}

/**
 * Reads --data (and --test), applies --limit, decodes, and splits into train / val / test at patient level so that
 * no patient and no byte-identical copy sits on two sides.
 */
export async function prepareData(o: PrepareOptions): Promise<PreparedData> {
  const layout = await scanFolder(o.data);
  const testLayout = o.test ? await scanFolder(o.test) : null;
  if (testLayout && testLayout.classNames.join() !== layout.classNames.join()) {
    throw new DataError(o.test!, `its classes (${testLayout.classNames.join(', ')}) differ from --data's (${layout.classNames.join(', ')})`);
  }
  const bySplit = (name: string) => layout.entries.filter((e) => e.split === name);
  let pool: LayoutEntry[] = layout.hasSplits ? bySplit('train') : layout.entries;
  const ownVal: LayoutEntry[] = layout.hasSplits && o.keepVal ? bySplit('val') : [];
  // The official val split is tiny (16 images in Kermany's data): by default it joins the pool that is split by patient.
  if (layout.hasSplits && !o.keepVal) pool = [...pool, ...bySplit('val')];
  let testEntries: LayoutEntry[] | null = testLayout ? testLayout.entries.filter((e) => !e.split || e.split === 'test') : null;
  let testSource = testLayout ? `--test ${o.test}` : '';
  if (!testEntries && layout.hasSplits && bySplit('test').length > 0) {
    testEntries = bySplit('test');
    testSource = 'the test/ folder of --data';
  }
  if (pool.length === 0) throw new DataError(o.data, 'no training images (train/ is empty)');

  if (o.limit != null && o.limit < pool.length) {
    const keep = stratifiedSubset(pool.map((e) => e.label), o.limit, o.seed);
    pool = keep.map((i) => pool[i]);
    o.log(`--limit ${o.limit}: using a seeded, class-stratified subset of ${pool.length} images`);
  }

  const progress = (what: string) => (p: { done: number; total: number }) => {
    if (p.done === p.total || p.done % 200 === 0) o.log(`decoding ${what}: ${p.done}/${p.total}`);
  };
  const loadOptions = { size: o.size, channels: o.channels, classNames: layout.classNames };
  const poolLoad = await loadImageSet(layout.root, pool, { ...loadOptions, onProgress: progress(o.data) });
  const testLoad = testEntries
    ? await loadImageSet(testLayout ? testLayout.root : layout.root, testEntries, { ...loadOptions, onProgress: progress('test images') })
    : null;
  const valLoad = ownVal.length > 0 ? await loadImageSet(layout.root, ownVal, loadOptions) : null;
  const skipped = [...layout.skipped, ...(testLayout?.skipped ?? []), ...poolLoad.skipped, ...(testLoad?.skipped ?? []), ...(valLoad?.skipped ?? [])];
  const duplicateGroups = [...poolLoad.duplicates, ...(testLoad?.duplicates ?? [])];

  const set = poolLoad.set;
  const keys = splitGroupKeys(set.files, poolLoad.duplicates);
  const split = patientSplit(
    Array.from(set.labels, (label, i) => ({ label, patient: keys[i] })),
    { val: valLoad ? 0 : o.valFraction, test: testLoad ? 0 : o.testFraction },
    o.seed,
  );
  const train = selectImages(set, split.train);
  const val = valLoad ? valLoad.set : split.val.length > 0 ? selectImages(set, split.val) : null;
  const test = testLoad ? testLoad.set : selectImages(set, split.test);
  if (!testLoad) testSource = `a patient-level ${Math.round(o.testFraction * 100)}% of --data`;
  checkUsable(o.data, train, 'training');
  if (test.count === 0) throw new DataError(o.test ?? o.data, 'no test images (use --test DIR or a larger --limit)');

  const describe = (name: string, s: ImageSet | null) =>
    s ? `${name} ${s.count} (${countPerClass(s).map((n, c) => `${layout.classNames[c]} ${n}`).join(', ')})` : `${name} none`;
  o.log(`classes: ${layout.classNames.join(', ')}; ${describe('train', train)}; ${describe('val', val)}; ${describe('test', test)} from ${testSource}`);
  if (skipped.length > 0) o.log(`skipped ${skipped.length} file(s): ${skipped.slice(0, 5).map((s) => `${s.path} (${s.reason})`).join('; ')}${skipped.length > 5 ? '; …' : ''}`);
  return { train, val, test, classNames: layout.classNames, skipped, duplicateGroups, testSource };
}

function checkUsable(path: string, set: ImageSet, what: string): void {
  const counts = countPerClass(set);
  const present = counts.filter((n) => n > 0).length;
  if (present < 2) throw new DataError(path, `the ${what} images cover ${present} class(es); at least 2 are needed`);
}
