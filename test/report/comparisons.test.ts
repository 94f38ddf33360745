import { describe, expect, it } from 'vitest';
import { delongPairedTest } from '../../src/lab/eval/delong';
import { evaluatePredictions } from '../../src/lab/eval/evaluate';
import { mcnemarExactP } from '../../src/lab/eval/mcnemar';
import {
  accuracyVerdict,
  aucVerdict,
  comparisonsOverSeeds,
  detectableDifference,
  formatP,
  formatSigned,
  overSeedsSentence,
  pairedComparisons,
  type ScoredRun,
} from '../../src/lab/report/comparisons';
import { makeResultRecord, type ResultRecord } from '../../src/lab/report/result-record';
import { createRng } from '../../src/lab/util/rng';

const classNames = ['NORMAL', 'PNEUMONIA'];

/** A run of `modelId` whose P(PNEUMONIA) separates the classes by `strength`, with its record as the lab makes it. */
function run(
  modelId: string,
  seed: number,
  labels: number[],
  strength: number,
  threshold = 0.5,
): { record: ResultRecord; scored: ScoredRun } {
  const rng = createRng(seed * 1000 + modelId.length * 17 + Math.round(strength * 10));
  const probabilities = new Float32Array(labels.length * 2);
  labels.forEach((y, i) => {
    const p = 1 / (1 + Math.exp(-(strength * (y - 0.5) * 2 + (rng.next() - 0.5) * 3)));
    probabilities[2 * i] = 1 - p;
    probabilities[2 * i + 1] = p;
  });
  const evaluation = evaluatePredictions(
    { probabilities, labels, classNames, losses: new Float32Array(labels.length) },
    { positiveClass: 1, threshold },
  );
  const record = makeResultRecord(
    {
      modelId,
      label: modelId.toUpperCase(),
      params: 1,
      trainableParams: 1,
      inputSize: 64,
      channels: 1,
      backend: 'cpu',
      seed,
      epochsRun: 1,
      epochsPlanned: 1,
      status: 'ok',
    },
    evaluation,
  );
  return { record, scored: { modelId, seed, probabilities } };
}

const labels = Array.from({ length: 160 }, (_, i) => (i % 5 < 2 ? 0 : 1));

describe('pairedComparisons', () => {
  const runs = [1, 2].flatMap((seed) => [
    run('light-k2', seed, labels, 0.4),
    run('light-k4', seed, labels, 1.2, 0.4),
    run('cnn', seed, labels, 2.5),
  ]);
  const records = runs.map((r) => r.record);
  const comparisons = pairedComparisons(
    records,
    labels,
    runs.map((r) => r.scored),
  );

  it("gives every pair of models of each seed, a before b in the records' order", () => {
    expect(comparisons.map((c) => `${c.seed}:${c.a}-${c.b}`)).toEqual([
      '1:light-k2-light-k4',
      '1:light-k2-cnn',
      '1:light-k4-cnn',
      '2:light-k2-light-k4',
      '2:light-k2-cnn',
      '2:light-k4-cnn',
    ]);
    for (const c of comparisons) expect(c).toMatchObject({ images: labels.length, positiveClass: 'PNEUMONIA' });
  });

  it("AUCs and accuracies are the records' own (each at its recorded threshold), and the tests are DeLong's and McNemar's", () => {
    for (const c of comparisons) {
      const ra = records.find((r) => r.modelId === c.a && r.seed === c.seed)!;
      const rb = records.find((r) => r.modelId === c.b && r.seed === c.seed)!;
      expect(c.auc!.a).toBeCloseTo(ra.test!.auc!, 12);
      expect(c.auc!.b).toBeCloseTo(rb.test!.auc!, 12);
      expect(c.accuracy.a).toBe(ra.test!.accuracy);
      expect(c.accuracy.b).toBe(rb.test!.accuracy);
      expect(c.auc!.difference).toBeCloseTo(c.auc!.a - c.auc!.b, 12);
      expect(Math.sign(c.auc!.z!)).toBe(Math.sign(c.auc!.difference));
      expect(c.accuracy.p).toBe(mcnemarExactP(c.accuracy.onlyA, c.accuracy.onlyB));
      // onlyA − onlyB is the difference in correct images.
      expect(c.accuracy.onlyA - c.accuracy.onlyB).toBe(Math.round((c.accuracy.a - c.accuracy.b) * labels.length));
      expect(c.auc!.ci95[0]).toBeLessThan(c.auc!.difference);
      expect(c.auc!.ci95[1]).toBeGreaterThan(c.auc!.difference);
      expect(c.auc!.detectable).toBeCloseTo(detectableDifference(c.auc!.se), 12);
    }
  });

  it('Holm-corrects the AUC tests and the McNemar tests within each seed', () => {
    for (const seed of [1, 2]) {
      const ofSeed = comparisons.filter((c) => c.seed === seed);
      const byAccuracy = [...ofSeed].sort((x, y) => x.accuracy.p - y.accuracy.p);
      expect(byAccuracy[0].accuracy.pHolm).toBeCloseTo(Math.min(1, 3 * byAccuracy[0].accuracy.p), 12);
      for (const c of ofSeed) expect(c.accuracy.pHolm).toBeGreaterThanOrEqual(c.accuracy.p);
      const sorted = [...ofSeed].sort((x, y) => x.auc!.p! - y.auc!.p!);
      expect(sorted[0].pHolm).toBeCloseTo(Math.min(1, 3 * sorted[0].auc!.p!), 12);
      for (const c of ofSeed) expect(c.pHolm!).toBeGreaterThanOrEqual(c.auc!.p!);
    }
    // A weak and a strong model differ; the verdict names the better one.
    const weakStrong = comparisons.find((c) => c.seed === 1 && c.a === 'light-k2' && c.b === 'cnn')!;
    expect(weakStrong.pHolm!).toBeLessThan(0.05);
    expect(aucVerdict(weakStrong)).toMatch(
      /^LIGHT-K2 vs CNN: CNN ranks these 160 images better \(ΔAUC −0\.\d{3} \[−0\.\d{3}, −0\.\d{3}\], p/,
    );
  });

  it('swapping the models flips every sign and keeps every p', () => {
    const flipped = pairedComparisons(
      [records[2], records[0]],
      labels,
      runs.map((r) => r.scored),
    )[0];
    const original = comparisons.find((c) => c.seed === 1 && c.a === 'light-k2' && c.b === 'cnn')!;
    expect(flipped.auc!.difference).toBeCloseTo(-original.auc!.difference, 12);
    expect(flipped.auc!.z!).toBeCloseTo(-original.auc!.z!, 12);
    expect(flipped.auc!.p!).toBeCloseTo(original.auc!.p!, 12);
    expect([flipped.accuracy.onlyA, flipped.accuracy.onlyB]).toEqual([
      original.accuracy.onlyB,
      original.accuracy.onlyA,
    ]);
  });

  it('leaves out failed runs and runs without probabilities', () => {
    const failed = { ...records[0], status: 'failed' as const, test: null };
    const some = pairedComparisons(
      [failed, records[1], records[2]],
      labels,
      runs.map((r) => r.scored),
    );
    expect(some.map((c) => `${c.a}-${c.b}`)).toEqual(['light-k4-cnn']);
    expect(pairedComparisons(records.slice(0, 3), labels, [runs[0].scored, runs[1].scored])).toHaveLength(1);
  });

  it('summarises each pair over seeds: mean and sd of the differences, wins per model', () => {
    const over = comparisonsOverSeeds(comparisons);
    expect(over.map((p) => `${p.a}-${p.b}`)).toEqual(['light-k2-light-k4', 'light-k2-cnn', 'light-k4-cnn']);
    const p = over[1];
    const diffs = comparisons.filter((c) => c.a === 'light-k2' && c.b === 'cnn').map((c) => c.auc!.difference);
    expect(p.auc!.mean).toBeCloseTo((diffs[0] + diffs[1]) / 2, 12);
    expect(p.auc!.sd).toBeCloseTo(Math.abs(diffs[0] - diffs[1]) / Math.SQRT2, 12);
    expect(p.auc!.winsB).toBe(2);
    expect(p.seedsSignificant).toEqual({ a: [], b: [1, 2] });
    expect(overSeedsSentence(p)).toContain('CNN in 2');
    expect(overSeedsSentence(p)).toContain('an AUC difference found for CNN in seed 1, 2 (of 2)');
  });
});

describe('the verdicts in words', () => {
  it('says two models whose scores only tie apart cannot be told apart', () => {
    const a = run('cnn', 3, labels, 1);
    const b = {
      ...a,
      record: { ...a.record, modelId: 'copy', label: 'Copy' },
      scored: { ...a.scored, modelId: 'copy' },
    };
    const [c] = pairedComparisons([a.record, b.record], labels, [a.scored, b.scored]);
    expect(c.auc).toMatchObject({ difference: 0, z: 0, p: 1 });
    expect(c.accuracy).toMatchObject({ onlyA: 0, onlyB: 0, p: 1 });
    expect(aucVerdict(c)).toBe(
      'CNN vs Copy: cannot be told apart on these 160 images (ΔAUC 0.000 [0.000, 0.000], p = 1.00)',
    );
    expect(accuracyVerdict(c)).toMatch(/^accuracies cannot be told apart/);
  });

  it('formats differences with a true minus and p-values as a reader expects', () => {
    expect(formatSigned(-0.0123)).toBe('\u22120.012');
    expect(formatSigned(0.004)).toBe('+0.004');
    expect(formatP(0.2134)).toBe('p = 0.21');
    expect(formatP(0.02134)).toBe('p = 0.021');
    expect(formatP(0.0004)).toBe('p < 0.001');
  });
});

describe('delongPairedTest', () => {
  it('returns null when a class is missing, and 0/1 for identical scores', () => {
    expect(delongPairedTest([1, 1, 1], [0.2, 0.4, 0.6], [0.1, 0.2, 0.3])).toBeNull();
    expect(delongPairedTest([0, 1, 0, 1], [0.1, 0.9, 0.4, 0.4], [0.1, 0.9, 0.4, 0.4])).toMatchObject({
      difference: 0,
      z: 0,
      p: 1,
    });
  });
});
