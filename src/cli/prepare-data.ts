import { DEFAULT_SPLIT_SETTINGS } from '../lab/data/assign-splits';
import { planLoad, type LoadPlan, type PlanPart } from '../lab/data/decode-plan';
import type { DataBudget } from '../lab/data/decode-estimate';
import { countPerClass, type ImageSet } from '../lab/data/image-set';
import { DataError } from '../lab/data/errors';
import type { SkippedFile } from '../lab/data/layout';
import { loadScanned, type LoadedDataset } from '../lab/data/loaded-dataset';
import { createBestNodeDecoder } from '../lab/data/node/decoder-threads';
import { defaultMemoryBudget } from '../lab/data/node/memory-budget';
import { openNodeSource } from '../lab/data/node/sources';
import { scanSource, type IngestProgress } from '../lab/data/scan';
import { positiveClassIndex } from '../lab/data/summary';
import { formatTableReport } from '../lab/data/summary-text';
import { CliError } from './cli-error';
import { identifyLayout, type DataIdentity } from '../lab/data/data-identity';
import type { ExperimentData } from '../lab/experiment/run-model';
import type { LabelTableSpec } from '../lab/data/table/table-layout';
import type { TableReport } from '../lab/data/table/table-report';

export interface PrepareOptions {
  /** A folder or a .zip. */
  data: string;
  /** A folder or a .zip of test images (its test/ folder when it has split folders). */
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
  /** Class to score as positive, by name (checked before decoding); null: PNEUMONIA or the second class. */
  positiveClass: string | null;
  /** A label table giving the classes, patients and official splits instead of class folders (also for --test). */
  labels?: LabelTableSpec;
  /** What the decoded images (--data and --test together) may take; default a quarter of this machine's memory. */
  memoryBudget?: DataBudget;
  /** --subset N: decode a budget subset of about N images (every class, whole patients, official splits kept). */
  subset?: number;
  /** Called once both sources are listed, before any image is decoded: throw to refuse the data. */
  checkIdentity?: (data: DataIdentity, test: DataIdentity | null) => void;
  log: (line: string) => void;
}

export interface PreparedData extends ExperimentData {
  classNames: string[];
  skipped: SkippedFile[];
  duplicateGroups: string[][];
  /** How the test set was obtained, for the report. */
  testSource: string;
  /** Every image file of --data (before --limit): counts and a fingerprint of names and sizes. */
  identity: DataIdentity;
  /** The same for --test, when given. */
  testIdentity: DataIdentity | null;
  /** Index of the class scored as positive. */
  positiveClass: number;
}

/**
 * Reads --data (and --test) through the ingestion pipeline (a folder or a zip), applies --limit, decodes, and splits
 * into train / val / test at patient level so that no patient and no byte-identical copy sits on two sides.
 */
export async function prepareData(o: PrepareOptions): Promise<PreparedData> {
  // Both layouts first: a --test folder with other classes fails before anything is decoded.
  const data = await scanSource(await openNodeSource(o.data), { labels: o.labels });
  const testScan = o.test ? await scanSource(await openNodeSource(o.test), { labels: o.labels }) : null;
  const { layout } = data;
  if (testScan) checkSameClasses(o.test!, testScan.layout.classNames, layout.classNames);
  if (!layout.entries.some((e) => e.split !== 'test')) {
    throw new DataError(
      o.data,
      layout.table
        ? 'no training images (the official split puts every image in test)'
        : 'no training images (train/ is empty)',
    );
  }
  if (o.positiveClass != null && positiveClassIndex(layout.classNames, o.positiveClass) < 0) {
    throw new CliError(`--positive ${o.positiveClass}: no such class (classes: ${layout.classNames.join(', ')})`);
  }
  const identity = identifyLayout(layout, data.sizes);
  const testIdentity = testScan ? identifyLayout(testScan.layout, testScan.sizes) : null;
  o.checkIdentity?.(identity, testIdentity);
  if (o.limit != null)
    o.log(`--limit ${o.limit}: using a seeded, class-stratified subset of at most ${o.limit} images`);

  const format = { size: o.size, channels: o.channels };
  const split = {
    valFraction: o.valFraction,
    testFraction: testScan ? 0 : o.testFraction,
    seed: o.seed,
    keepOfficialVal: o.keepVal,
  };
  // With --test, the data's own test/ folder is not used, so it is not decoded either.
  const dataPart: PlanPart = {
    layout,
    select: { split, limit: o.limit, onlySplits: testScan ? ['train', 'val'] : undefined },
  };
  const testPart: PlanPart | null = testScan
    ? { layout: testScan.layout, select: { allAs: 'test', onlySplits: ['test'] } }
    : null;
  // One line before anything is decoded: what the images will take against the budget (and the subset, if asked).
  const plan = planLoad(testPart ? [dataPart, testPart] : [dataPart], {
    classNames: layout.classNames,
    size: o.size,
    channels: o.channels,
    budget: o.memoryBudget ?? defaultMemoryBudget(),
    seed: o.seed,
    subset: o.subset,
  });
  checkBudget(plan, o);

  const decoder = createBestNodeDecoder(
    plan.chosen
      ? plan.chosen.counts.images
      : Math.min(o.limit ?? Infinity, layout.entries.length) + (testScan?.layout.entries.length ?? 0),
  );
  let loaded: LoadedDataset, testLoaded: LoadedDataset | null;
  try {
    loaded = decoded(
      await loadScanned(data, {
        decoder,
        format,
        ...dataPart.select,
        split,
        only: plan.only[0],
        onProgress: progressLog(o.log, o.data),
        positiveClass: o.positiveClass ?? undefined,
      }),
    );
    testLoaded = testScan
      ? decoded(
          await loadScanned(testScan, {
            decoder,
            format,
            ...testPart!.select,
            split: DEFAULT_SPLIT_SETTINGS,
            only: plan.only[1],
            classNames: layout.classNames,
            onProgress: progressLog(o.log, 'test images'),
          }),
        )
      : null;
  } finally {
    decoder.close();
  }

  const train = loaded.sets.train;
  const val = loaded.sets.val.count > 0 ? loaded.sets.val : null;
  const test = testLoaded ? testLoaded.sets.test : loaded.sets.test;
  const testSource = testScan
    ? `--test ${o.test}`
    : loaded.summary.testOrigin === 'folder'
      ? layout.table
        ? officialTest(layout.table)
        : 'the test/ folder of --data'
      : `a patient-level ${Math.round(o.testFraction * 100)}% of --data`;
  checkUsable(o.data, train, 'training');
  if (test.count === 0) throw new DataError(o.test ?? o.data, 'no test images (use --test DIR or a larger --limit)');
  const skipped = [...loaded.summary.skipped, ...(testLoaded?.summary.skipped ?? [])];
  const duplicateGroups = [...loaded.duplicateGroups, ...(testLoaded?.duplicateGroups ?? [])];

  const describe = (name: string, s: ImageSet | null) =>
    s
      ? `${name} ${s.count} (${countPerClass(s)
          .map((n, c) => `${layout.classNames[c]} ${n}`)
          .join(', ')})`
      : `${name} none`;
  o.log(
    `classes: ${layout.classNames.join(', ')}; ${describe('train', train)}; ${describe('val', val)}; ${describe('test', test)} from ${testSource}`,
  );
  if (loaded.summary.duplicates.groups > 0)
    o.log(`duplicates: ${loaded.summary.duplicates.groups} groups of byte-identical files, each kept in one split`);
  if (layout.table) for (const line of formatTableReport(layout.table)) o.log(line.trim());
  if (skipped.length > 0)
    o.log(
      `skipped ${skipped.length} file(s): ${skipped
        .slice(0, 5)
        .map((s) => `${s.path} (${s.reason})`)
        .join('; ')}${skipped.length > 5 ? '; …' : ''}`,
    );
  return {
    train,
    val,
    test,
    classNames: layout.classNames,
    skipped,
    duplicateGroups,
    testSource,
    identity,
    testIdentity,
    positiveClass: loaded.summary.positiveClass,
  };
}

/**
 * Logs the estimate line; over the budget, refuses (one line naming the flags that fit) unless --subset chose a
 * subset that fits, whose counts it logs instead.
 */
function checkBudget(plan: LoadPlan, o: PrepareOptions): void {
  const { estimate, chosen } = plan;
  const others = [
    '--memory-budget MB',
    ...(estimate.smallerSize !== null ? [`--size ${estimate.smallerSize}`] : []),
    ...(estimate.greyFits ? ['--channels 1'] : []),
  ];
  const last = others.pop()!;
  const alternatives = others.length > 0 ? `${others.join(', ')} or ${last}` : last;
  const ways = estimate.subset
    ? `--subset ${estimate.subset.request} for that subset, or ${alternatives}`
    : alternatives;
  if (chosen) {
    o.log(estimate.line);
    if (!chosen.fits)
      throw new CliError(
        `--subset ${o.subset}: ${chosen.line}, over the ${estimate.budget.name} of ${megabytes(estimate.limitBytes)}; use ${ways}`,
      );
    o.log(`taking the ${chosen.line}`);
    return;
  }
  if (!estimate.fits) throw new CliError(`${estimate.line}. Use ${ways}`);
  o.log(estimate.line);
}

const megabytes = (bytes: number): string => `${Math.floor(bytes / 1e6).toLocaleString('en-US')} MB`;

/** A load that ran to its end (the CLI never cancels one). */
function decoded(ds: LoadedDataset | null): LoadedDataset {
  if (!ds) throw new Error('the load was cancelled');
  return ds;
}

/** Where a table's test images came from, in words. */
function officialTest(table: TableReport): string {
  const list = table.identity.testList;
  return list
    ? `the official test list ${list.file}`
    : `the test rows of ${table.identity.file} (--split-column ${table.identity.mapping.splitColumn})`;
}

/** Decoding progress every 200 images and at the end. */
function progressLog(log: (line: string) => void, what: string): (p: IngestProgress) => void {
  return (p) => {
    const done = p.decoded + p.skipped;
    if (p.phase === 'loading' && done > 0 && (done === p.total || done % 200 === 0))
      log(`decoding ${what}: ${done}/${p.total}`);
  };
}

function checkSameClasses(path: string, found: readonly string[], expected: readonly string[]): void {
  if (found.join('\n') === expected.join('\n')) return;
  throw new DataError(path, `its classes (${found.join(', ')}) differ from --data's (${expected.join(', ')})`);
}

function checkUsable(path: string, set: ImageSet, what: string): void {
  const counts = countPerClass(set);
  const present = counts.filter((n) => n > 0).length;
  if (present < 2) throw new DataError(path, `the ${what} images cover ${present} class(es); at least 2 are needed`);
}
