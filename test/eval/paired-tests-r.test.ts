/**
 * The paired tests against an independent implementation: R's pROC (`roc.test(method = "delong", paired = TRUE)`),
 * `binom.test` and `p.adjust(method = "holm")` from Debian's r-base-core + r-cran-proc (installed by .ci/run).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { delongPairedTest } from '../../src/lab/eval/delong';
import { holmAdjust } from '../../src/lab/eval/holm';
import { mcnemarExactP } from '../../src/lab/eval/mcnemar';
import { createRng } from '../../src/lab/util/rng';
import { rHas, runR } from '../helpers/r-stats';

const hasProc = rHas('pROC');
if (!hasProc)
  console.warn('paired-tests-r: skipped — needs /usr/bin/Rscript with pROC (apt-get install r-base-core r-cran-proc)');

interface DataSet {
  name: string;
  y: number[];
  a: number[];
  b: number[];
}

/** Data sets that exercise the algorithm: continuous, heavily tied, tiny, a constant model, a clear winner. */
function dataSets(): DataSet[] {
  const rng = createRng(24);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const make = (
    name: string,
    n: number,
    share: number,
    scoreA: (y: number) => number,
    scoreB: (y: number, a: number) => number,
  ): DataSet => {
    const y: number[] = [];
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < n; i++) {
      const label = rng.next() < share ? 1 : 0;
      const sa = scoreA(label);
      y.push(label);
      a.push(sa);
      b.push(scoreB(label, sa));
    }
    if (!y.includes(0)) y[0] = 0;
    if (!y.includes(1)) y[n - 1] = 1;
    return { name, y, a, b };
  };
  const logistic = (x: number) => 1 / (1 + Math.exp(-x));
  return [
    make(
      'continuous, correlated',
      300,
      0.4,
      (y) => logistic(1.2 * y + normal()),
      (y, a) => logistic(Math.log(a / (1 - a)) * 0.7 + 0.5 * y + 0.6 * normal()),
    ),
    make(
      'tied to one decimal',
      120,
      0.5,
      (y) => Math.round(logistic(y + normal()) * 10) / 10,
      (y) => Math.round(logistic(0.6 * y + normal()) * 10) / 10,
    ),
    make(
      'three score levels',
      40,
      0.35,
      (y) => [0.2, 0.5, 0.8][Math.min(2, Math.floor(rng.next() * 2 + y))],
      (y) => [0.1, 0.5, 0.9][Math.min(2, Math.floor(rng.next() * 2.2 + y * 0.8))],
    ),
    { name: 'tiny', y: [1, 0, 1, 0, 0], a: [0.9, 0.3, 0.4, 0.5, 0.1], b: [0.6, 0.7, 0.8, 0.2, 0.2] },
    make(
      'one model constant',
      30,
      0.5,
      () => 0.5,
      (y) => logistic(y + normal()),
    ),
    make(
      'a clear winner',
      200,
      0.5,
      (y) => logistic(3 * y + normal()),
      (y) => logistic(0.3 * y + normal()),
    ),
    make(
      'imbalanced',
      250,
      0.1,
      (y) => logistic(2 * y + normal()),
      (y) => logistic(1.5 * y + normal()),
    ),
  ];
}

describe.skipIf(!hasProc)('paired tests agree with R', () => {
  it('DeLong: z, p, the interval and both AUCs match pROC on every data set', async () => {
    const sets = dataSets();
    const dir = mkdtempSync(join(tmpdir(), 'delong-r-'));
    const csv = join(dir, 'scores.csv');
    writeFileSync(
      csv,
      [
        'set,y,a,b',
        ...sets.flatMap((s, k) => s.y.map((y, i) => `${k},${y},${s.a[i].toPrecision(17)},${s.b[i].toPrecision(17)}`)),
      ].join('\n'),
    );
    const out = await runR(`suppressMessages(library(pROC))
d <- read.csv("${csv}")
for (k in sort(unique(d$set))) {
  s <- d[d$set == k, ]
  r1 <- roc(s$y, s$a, levels = c(0, 1), direction = "<", quiet = TRUE)
  r2 <- roc(s$y, s$b, levels = c(0, 1), direction = "<", quiet = TRUE)
  t <- roc.test(r1, r2, method = "delong", paired = TRUE)
  cat(sprintf("%d %.17g %.17g %.17g %.17g %.17g %.17g\\n", k, t$statistic, t$p.value, t$conf.int[1], t$conf.int[2], as.numeric(auc(r1)), as.numeric(auc(r2))))
}`);
    const rows = out
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number));
    expect(rows).toHaveLength(sets.length);
    for (const [k, z, p, low, high, aucA, aucB] of rows) {
      const ours = delongPairedTest(sets[k].y, sets[k].a, sets[k].b)!;
      const where = sets[k].name;
      expect(ours.aucA, where).toBeCloseTo(aucA, 12);
      expect(ours.aucB, where).toBeCloseTo(aucB, 12);
      expect(Math.abs(ours.z! - z), `${where}: z ${ours.z} vs R ${z}`).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(ours.p! - p), `${where}: p ${ours.p} vs R ${p}`).toBeLessThanOrEqual(1e-9);
      expect(ours.ci[0], where).toBeCloseTo(low, 9);
      expect(ours.ci[1], where).toBeCloseTo(high, 9);
    }
    // The sets span the verdicts: some far from a difference, one with a tiny p.
    expect(rows.some((r) => r[2] > 0.2)).toBe(true);
    expect(rows.some((r) => r[2] < 1e-6)).toBe(true);
  }, 120_000);

  it('McNemar: the exact p matches binom.test on the discordant counts, small and large', async () => {
    const counts = [
      [0, 1],
      [1, 0],
      [3, 7],
      [10, 10],
      [0, 25],
      [12, 31],
      [31, 34],
      [200, 240],
      [1, 60],
      [999, 1100],
    ];
    const out = await runR(
      counts.map(([b, c]) => `cat(sprintf("%.17g\\n", binom.test(${b}, ${b + c}, 0.5)$p.value))`).join('\n'),
    );
    const ps = out.trim().split('\n').map(Number);
    expect(ps).toHaveLength(counts.length);
    counts.forEach(([b, c], i) => {
      const ours = mcnemarExactP(b, c);
      expect(
        Math.abs(ours - ps[i]) / Math.max(ps[i], 1e-300),
        `onlyA ${b}, onlyB ${c}: ${ours} vs R ${ps[i]}`,
      ).toBeLessThanOrEqual(1e-9);
    });
  }, 60_000);

  it('Holm: the adjusted p-values match p.adjust', async () => {
    const rng = createRng(7);
    const ps = Array.from({ length: 9 }, () => rng.next() ** 3);
    ps[4] = ps[2]; // a tie
    const out = await runR(
      `cat(sprintf("%.17g", p.adjust(c(${ps.map((p) => p.toPrecision(17)).join(',')}), "holm")), sep = "\\n")`,
    );
    const expected = out.trim().split('\n').map(Number);
    holmAdjust(ps).forEach((p, i) => expect(p).toBeCloseTo(expected[i], 14));
  }, 60_000);
});
