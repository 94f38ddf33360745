/**
 * The paired tests as text: report.md's "Differences between models" (per seed, every pair's DeLong and McNemar
 * tests with the verdict in words; with several seeds, each pair's differences over them; what the tests answer and
 * what they do not) and the CLI's lines after its table.
 */
import {
  accuracyVerdict,
  aucVerdict,
  comparisonsOverSeeds,
  COMPARISONS_EXPLAINED,
  formatP,
  formatSigned,
  overSeedsSentence,
  type PairComparison,
} from './comparisons';
import { ENSEMBLE_SEED } from './ensemble-record';
import { MISSING } from './format';

/** The section's blocks (heading first), or none without comparisons. */
export function renderComparisonSections(comparisons: readonly PairComparison[]): string[] {
  if (comparisons.length === 0) return [];
  const parts = ['## Differences between models', ...COMPARISONS_EXPLAINED];
  const seeds = [...new Set(comparisons.map((c) => c.seed))];
  for (const seed of seeds) {
    const ofSeed = comparisons.filter((c) => c.seed === seed);
    if (seeds.length > 1) parts.push(seed === ENSEMBLE_SEED ? '### Seed ensembles' : `### Seed ${seed}`);
    parts.push(
      pairTable(ofSeed),
      ofSeed.map((c) => `- ${cleanCell(aucVerdict(c))}; ${cleanCell(accuracyVerdict(c))}.`).join('\n'),
    );
  }
  if (seeds.filter((s) => s !== ENSEMBLE_SEED).length > 1) {
    parts.push(
      '### Over seeds',
      comparisonsOverSeeds(comparisons)
        .map((p) => `- ${cleanCell(overSeedsSentence(p))}.`)
        .join('\n'),
    );
  }
  return parts;
}

/** The verdicts as plain lines for a terminal, or '' without comparisons. */
export function renderComparisonsText(comparisons: readonly PairComparison[]): string {
  if (comparisons.length === 0) return '';
  const seeds = [...new Set(comparisons.map((c) => c.seed))];
  const lines = [
    `Differences (paired tests on the same ${comparisons[0].images} test images; Holm-corrected per seed; report.md explains them):`,
  ];
  for (const seed of seeds) {
    for (const c of comparisons.filter((x) => x.seed === seed)) {
      const where = seed === ENSEMBLE_SEED ? 'ensembles: ' : `seed ${seed}: `;
      lines.push(`  ${seeds.length > 1 ? where : ''}${aucVerdict(c)}; ${accuracyVerdict(c)}`);
    }
  }
  if (seeds.filter((s) => s !== ENSEMBLE_SEED).length > 1) {
    lines.push("Over seeds (one shared split: this spread is the training's randomness, not the data's):");
    for (const p of comparisonsOverSeeds(comparisons)) lines.push(`  ${overSeedsSentence(p)}`);
  }
  return `${lines.join('\n')}\n`;
}

function pairTable(comparisons: readonly PairComparison[]): string {
  const rows = comparisons.map((c) => {
    const auc = c.auc;
    const cells = [
      `${c.labelA} − ${c.labelB}`,
      auc ? `${formatSigned(auc.difference)} [${formatSigned(auc.ci95[0])}, ${formatSigned(auc.ci95[1])}]` : MISSING,
      auc ? pValue(auc.p) : MISSING,
      pValue(c.pHolm),
      auc ? auc.detectable.toFixed(3) : MISSING,
      formatSigned(c.accuracy.a - c.accuracy.b),
      `${c.accuracy.onlyA} / ${c.accuracy.onlyB}`,
      `${pValue(c.accuracy.p)} (${pValue(c.accuracy.pHolm)})`,
    ];
    return `| ${cells.map(cleanCell).join(' | ')} |`;
  });
  return [
    '| Pair (A − B) | ΔAUC [95% CI] | DeLong p | Holm p | Detectable ΔAUC | Δaccuracy | Only A / only B right | McNemar p (Holm) |',
    '|:---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

function pValue(p: number | null): string {
  return p === null ? MISSING : formatP(p).replace(/^p = /, '').replace(/^p /, '');
}

function cleanCell(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').replace(/\|/g, '\\|');
}
