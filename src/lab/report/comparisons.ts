/**
 * Is model A better than model B on this test set, or can these images not tell them apart? Paired tests for every
 * pair of models scored in the same seed (hence on the same test images): DeLong's test of the AUCs, McNemar's exact
 * test of the accuracies at each model's recorded threshold, and Holm's correction over the pairs of one seed. Over
 * seeds, the spread of the differences: every seed shares one split, so that spread is the training's randomness,
 * not the data's. Seed ensembles (report/ensemble-record.ts) share the seed ENSEMBLE_SEED, so they are compared
 * with the other models' ensembles as one more "seed", and stay out of the spread over seeds.
 * Framework-free: results.json, the experiment card, report.md, the CLI and the page share it.
 */
import { delongPairedTest } from '../eval/delong';
import { normalQuantile } from '../eval/distributions';
import { holmAdjust } from '../eval/holm';
import { discordantCounts, mcnemarExactP } from '../eval/mcnemar';
import { ENSEMBLE_SEED, recordLabel } from './ensemble-record';
import type { ResultRecord } from './result-record';
import { stat } from './stat';

/** Significance level of the verdicts and of the detectable difference. */
export const COMPARISON_ALPHA = 0.05;
/** Power at which `detectable` is stated. */
export const DETECTABLE_POWER = 0.8;

/** DeLong's test of aucA − aucB. */
export interface AucComparison {
  readonly a: number;
  readonly b: number;
  readonly difference: number;
  readonly ci95: readonly [number, number];
  readonly z: number | null;
  readonly p: number | null;
  readonly se: number;
  /**
   * The smallest true AUC difference these images would detect with 80% power at α = 0.05 (two-sided), taking this
   * pair's DeLong standard error as the standard error under the alternative: (z₀.₉₇₅ + z₀.₈₀) · se.
   */
  readonly detectable: number;
}

/** McNemar's exact test on the images exactly one of the two models classifies right. */
export interface AccuracyComparison {
  readonly a: number;
  readonly b: number;
  /** Images A classifies right and B wrong. */
  readonly onlyA: number;
  readonly onlyB: number;
  readonly p: number;
  /** p after Holm's correction over the McNemar tests of this seed's pairs. */
  readonly pHolm: number;
}

/** One (seed, pair) entry of results.json's `comparisons`. */
export interface PairComparison {
  readonly seed: number;
  readonly a: string;
  readonly b: string;
  readonly labelA: string;
  readonly labelB: string;
  /** Test images both were scored on. */
  readonly images: number;
  /** The class whose probability is ranked and thresholded; with more than two classes, that class vs the rest. */
  readonly positiveClass: string;
  /** Null when the test set lacks a class (no AUC exists). */
  readonly auc: AucComparison | null;
  readonly accuracy: AccuracyComparison;
  /** The AUC test's p after Holm's correction over the pairs of this seed. */
  readonly pHolm: number | null;
}

/** A run's test probabilities: images × classes, row-major, in the order of the test labels. */
export interface ScoredRun {
  readonly modelId: string;
  readonly seed: number;
  readonly probabilities: ArrayLike<number>;
}

/**
 * The paired comparisons of every two models of each seed that finished with test metrics and kept their test
 * probabilities. Pairs follow the records' order (a before b); seeds, their first appearance.
 * @param labels true class index per test image, shared by every run
 */
export function pairedComparisons(
  records: readonly ResultRecord[],
  labels: ArrayLike<number>,
  runs: readonly ScoredRun[],
): PairComparison[] {
  const out: PairComparison[] = [];
  const seeds = [...new Set(records.map((r) => r.seed))];
  for (const seed of seeds) {
    const scored = records.flatMap((record) => {
      if (record.seed !== seed) return [];
      const s = scoredRecord(record, labels, runs);
      return s ? [s] : [];
    });
    const pairs: UncorrectedPair[] = [];
    for (let i = 0; i < scored.length; i++) {
      for (let j = i + 1; j < scored.length; j++) {
        const pair = comparePair(scored[i], scored[j], labels);
        if (pair) pairs.push(pair);
      }
    }
    const adjusted = holmAdjust(pairs.map((p) => p.auc?.p ?? null));
    const accuracyAdjusted = holmAdjust(pairs.map((p) => p.accuracy.p));
    pairs.forEach((p, i) =>
      out.push({ ...p, pHolm: adjusted[i], accuracy: { ...p.accuracy, pHolm: accuracyAdjusted[i]! } }),
    );
  }
  return out;
}

/** A record ready to compare: its scores of the positive class and whether each image was classified right. */
interface Scored {
  readonly record: ResultRecord;
  readonly positive: number;
  readonly scores: Float32Array;
  readonly correct: boolean[];
}

function scoredRecord(record: ResultRecord, labels: ArrayLike<number>, runs: readonly ScoredRun[]): Scored | null {
  if (record.status !== 'ok' || record.test === null) return null;
  const k = record.classNames.length;
  const run = runs.find((r) => r.modelId === record.modelId && r.seed === record.seed);
  if (!run || k < 2 || run.probabilities.length !== labels.length * k || labels.length === 0) return null;
  const named = record.positiveClass === null ? -1 : record.classNames.indexOf(record.positiveClass);
  const positive = named >= 0 ? named : k === 2 ? 1 : -1;
  if (positive < 0) return null;
  // Float32 as the evaluation scored them, so `accuracy.a` is the record's accuracy at its threshold.
  const scores = new Float32Array(labels.length);
  const correct: boolean[] = [];
  for (let i = 0; i < labels.length; i++) {
    scores[i] = run.probabilities[i * k + positive];
    correct.push(scores[i] >= record.test.threshold === (labels[i] === positive));
  }
  return { record, positive, scores, correct };
}

type UncorrectedPair = Omit<PairComparison, 'pHolm' | 'accuracy'> & { accuracy: Omit<AccuracyComparison, 'pHolm'> };

function comparePair(a: Scored, b: Scored, labels: ArrayLike<number>): UncorrectedPair | null {
  const ra = a.record;
  const rb = b.record;
  if (a.positive !== b.positive || ra.classNames.join('\n') !== rb.classNames.join('\n')) return null;
  const isPositive = Array.from(labels, (l) => (l === a.positive ? 1 : 0));
  const delong = delongPairedTest(isPositive, a.scores, b.scores, 0.95);
  const { onlyA, onlyB } = discordantCounts(a.correct, b.correct);
  const n = labels.length;
  const accuracyOf = (correct: boolean[]) => correct.filter(Boolean).length / n;
  return {
    seed: ra.seed,
    a: ra.modelId,
    b: rb.modelId,
    labelA: recordLabel(ra),
    labelB: recordLabel(rb),
    images: n,
    positiveClass: ra.classNames[a.positive],
    auc: delong && {
      a: delong.aucA,
      b: delong.aucB,
      difference: delong.difference,
      ci95: delong.ci,
      z: delong.z,
      p: delong.p,
      se: delong.se,
      detectable: detectableDifference(delong.se),
    },
    accuracy: { a: accuracyOf(a.correct), b: accuracyOf(b.correct), onlyA, onlyB, p: mcnemarExactP(onlyA, onlyB) },
  };
}

/** (z₁₋α/₂ + z_power) · se: the normal approximation of the smallest difference a two-sided test detects. */
export function detectableDifference(se: number, alpha = COMPARISON_ALPHA, power = DETECTABLE_POWER): number {
  return (normalQuantile(1 - alpha / 2) + normalQuantile(power)) * se;
}

/** Mean and sd of one pair's differences (a − b) over seeds, and how many seeds each model won. */
export interface DifferenceOverSeeds {
  readonly n: number;
  readonly mean: number;
  /** Sample sd; null for one seed. */
  readonly sd: number | null;
  readonly winsA: number;
  readonly winsB: number;
  readonly ties: number;
}

/** One pair of models across the seeds that compared them. */
export interface PairOverSeeds {
  readonly a: string;
  readonly b: string;
  readonly labelA: string;
  readonly labelB: string;
  readonly seeds: number[];
  readonly auc: DifferenceOverSeeds | null;
  readonly accuracy: DifferenceOverSeeds | null;
  /** Seeds in which DeLong's test (Holm-corrected) found A's AUC higher at α = 0.05, and those it found B's higher. */
  readonly seedsSignificant: { readonly a: number[]; readonly b: number[] };
}

/** One entry per pair of models, in the order the pairs first appear in `comparisons` (ensembles' pairs left out). */
export function comparisonsOverSeeds(comparisons: readonly PairComparison[]): PairOverSeeds[] {
  const byPair = new Map<string, PairComparison[]>();
  for (const c of comparisons.filter((x) => x.seed !== ENSEMBLE_SEED)) {
    const key = `${c.a}\n${c.b}`;
    byPair.set(key, [...(byPair.get(key) ?? []), c]);
  }
  return [...byPair.values()].map((list) => ({
    a: list[0].a,
    b: list[0].b,
    labelA: list[0].labelA,
    labelB: list[0].labelB,
    seeds: list.map((c) => c.seed),
    auc: differenceOverSeeds(list.map((c) => c.auc?.difference ?? null)),
    accuracy: differenceOverSeeds(list.map((c) => c.accuracy.a - c.accuracy.b)),
    seedsSignificant: {
      a: list.filter((c) => aucDifferenceFound(c) && c.auc!.difference > 0).map((c) => c.seed),
      b: list.filter((c) => aucDifferenceFound(c) && c.auc!.difference < 0).map((c) => c.seed),
    },
  }));
}

/** DeLong's test, Holm-corrected, found a difference in this seed. */
export function aucDifferenceFound(c: PairComparison): boolean {
  return c.auc !== null && c.pHolm !== null && c.pHolm < COMPARISON_ALPHA && c.auc.difference !== 0;
}

function differenceOverSeeds(differences: readonly (number | null)[]): DifferenceOverSeeds | null {
  const s = stat(differences);
  if (!s) return null;
  const xs = differences.filter((d): d is number => d !== null);
  return {
    n: s.n,
    mean: s.mean,
    sd: s.sd,
    winsA: xs.filter((d) => d > 0).length,
    winsB: xs.filter((d) => d < 0).length,
    ties: xs.filter((d) => d === 0).length,
  };
}

/** A difference with its sign and a true minus: −0.012, +0.004. */
export function formatSigned(x: number, digits = 3): string {
  const text = Math.abs(x).toFixed(digits);
  if (Number(text) === 0) return text;
  return `${x < 0 ? '\u2212' : '+'}${text}`;
}

/** A p-value as a reader expects it: "p = 0.21", "p = 0.021", "p < 0.001". */
export function formatP(p: number | null): string {
  if (p === null) return 'p undefined';
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p >= 0.1 ? p.toFixed(2) : p.toPrecision(2)}`;
}

/** The AUC test's verdict in words, e.g. "LightLayers k=4 vs Conv2D CNN: cannot be told apart on these 624 images (ΔAUC −0.012 [−0.031, 0.007], p = 0.21)". */
export function aucVerdict(c: PairComparison): string {
  const head = `${c.labelA} vs ${c.labelB}`;
  const images = `${c.images.toLocaleString('en-US')} images`;
  if (!c.auc) return `${head}: no AUC on these ${images} (the test set lacks a class)`;
  const figures =
    `ΔAUC ${formatSigned(c.auc.difference)} [${formatSigned(c.auc.ci95[0])}, ${formatSigned(c.auc.ci95[1])}], ${formatP(c.auc.p)}` +
    (c.pHolm !== null && c.pHolm !== c.auc.p ? `, Holm ${formatP(c.pHolm).slice(2)}` : '');
  if (aucDifferenceFound(c)) {
    const better = c.auc.difference > 0 ? c.labelA : c.labelB;
    return `${head}: ${better} ranks these ${images} better (${figures})`;
  }
  return `${head}: cannot be told apart on these ${images} (${figures})`;
}

/** McNemar's verdict in words: who is right where the other is wrong, and whether that is more than chance. */
export function accuracyVerdict(c: PairComparison): string {
  const { a, b, onlyA, onlyB, p, pHolm } = c.accuracy;
  const counts = `${c.labelA} alone right on ${onlyA}, ${c.labelB} alone right on ${onlyB}`;
  const figures = `accuracy ${a.toFixed(3)} vs ${b.toFixed(3)}; ${counts}; McNemar ${formatP(p)}${pHolm !== p ? `, Holm ${formatP(pHolm).slice(2)}` : ''}`;
  if (pHolm < COMPARISON_ALPHA && onlyA !== onlyB)
    return `${onlyA > onlyB ? c.labelA : c.labelB} is more accurate at its threshold (${figures})`;
  return `accuracies cannot be told apart (${figures})`;
}

/** Over seeds in words: the mean ± sd of ΔAUC and how many seeds each model won. */
export function overSeedsSentence(p: PairOverSeeds): string {
  const part = (what: string, d: DifferenceOverSeeds | null) =>
    d
      ? `${what} ${formatSigned(d.mean)}${d.sd === null ? '' : ` ± ${d.sd.toFixed(3)}`} (${p.labelA} higher in ${d.winsA}, ${p.labelB} in ${d.winsB}${d.ties ? `, tied in ${d.ties}` : ''})`
      : `${what} undefined`;
  const { a, b } = p.seedsSignificant;
  const foundIn =
    a.length + b.length === 0
      ? 'no AUC difference found in any seed'
      : `an AUC difference found for ${[a.length ? `${p.labelA} in seed ${a.join(', ')}` : '', b.length ? `${p.labelB} in seed ${b.join(', ')}` : ''].filter(Boolean).join(' and ')}`;
  return (
    `${p.labelA} vs ${p.labelB} over seeds ${p.seeds.join(', ')}: ${part('ΔAUC', p.auc)}; ${part('Δaccuracy', p.accuracy)}; ${foundIn} ` +
    `(of ${p.seeds.length})`
  );
}

/** What the tests answer and what they do not, for the page and report.md. */
export const COMPARISONS_EXPLAINED = [
  "Each pair of models is tested on the same test images of one seed. DeLong's test asks whether the two AUCs differ by more than " +
    "these images can explain (the models' errors on shared images are correlated, so two overlapping intervals do not answer it); " +
    "McNemar's exact test asks the same of accuracy at each model's threshold, using only the images exactly one model gets right. " +
    `Holm's correction, applied to each test over one seed's pairs, keeps the chance of any false "difference" under ${COMPARISON_ALPHA}. ` +
    "With more than two classes, both tests are of the positive class against the rest, as the table's threshold metrics are.",
  '"Cannot be told apart" is not "equal": it says these images are too few to show a difference, if there is one. The detectable ' +
    'difference is the smallest true ΔAUC these images would find with 80% power at α = 0.05, by the normal approximation ' +
    "(z₀.₉₇₅ + z₀.₈₀) × DeLong's standard error of the pair.",
  'Every seed shares one train/validation/test split, so the spread over seeds is the randomness of training (initial weights, ' +
    'shuffling, augmentation), not of the data: another test set could move every model together. These tests say nothing about ' +
    'images unlike the test set (another hospital or scanner).',
];
