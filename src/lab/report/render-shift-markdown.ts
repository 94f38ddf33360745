/**
 * The dataset-shift Markdown sections: test-time BatchNorm adaptation (the metrics of the model as trained next to the
 * adapted ones, never instead of them), then calibration and the prevalence estimate. Each section appears only
 * when some record carries its fields.
 */
import { modelName, repeated } from './comparison-table';
import { seedCell } from './ensemble-record';
import { formatRatio, MISSING } from './format';
import type { ResultRecord } from './result-record';
import type { TestRecord } from './test-record';
import type { Stat } from './stat';
import { summariseRecords } from './summary';

/** The sections, as Markdown blocks (headings included); empty when no record has shift fields. */
export function renderShiftSections(records: readonly ResultRecord[]): string[] {
  const tested = records.filter((r) => r.test !== null);
  const parts: string[] = [];
  const adapted = tested.filter((r) => r.adaptation !== undefined);
  if (adapted.length > 0) parts.push('## Test-time BatchNorm adaptation', renderAdaptation(adapted));
  if (adapted.length > 0 && repeated(adapted)) parts.push(renderAdaptationOverSeeds(adapted));
  const calibrated = tested.filter((r) => r.test?.calibration || r.prior);
  if (calibrated.length > 0) parts.push('## Calibration and class prior', renderCalibration(calibrated));
  return parts;
}

const arrow = (before: number | null | undefined, after: number | null | undefined) =>
  `${formatRatio(before)} → ${formatRatio(after)}`;

function renderAdaptation(records: readonly ResultRecord[]): string {
  const pick = (t: TestRecord | null | undefined, key: 'accuracy' | 'sensitivity' | 'specificity' | 'auc') => t?.[key];
  const rows = records.map((r) => {
    const b = r.testBeforeAdaptation;
    const a = r.test;
    return (
      `| ${cell(modelName(r))} | ${seedCell(r)} | ${r.adaptation === 'bn-test' ? 'bn-test' : 'none (skipped)'} | ` +
      `${(['accuracy', 'sensitivity', 'specificity', 'auc'] as const).map((k) => arrow(pick(b, k), pick(a, k))).join(' | ')} | ` +
      `${arrow(b?.calibration?.ece, a?.calibration?.ece)} |`
    );
  });
  const reasons = [
    ...new Set(
      records.flatMap((r) => (r.adaptationReport?.reason ? [`${r.label}: ${r.adaptationReport.reason}`] : [])),
    ),
  ];
  const notes = [...new Set(records.flatMap((r) => (r.adaptationReport?.notes ?? []).map((n) => `${r.label}: ${n}`)))];
  return (
    [
      '| Model | Seed | Adaptation | Accuracy | Sensitivity | Specificity | AUC | ECE |',
      '|:---|---:|:---|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n') +
    "\n\nEach cell reads *as trained → adapted*: before scoring, every BatchNorm layer's statistics were re-estimated on the " +
    'test images themselves (no labels used; the trained weights untouched). The comparison table above shows the adapted ' +
    'figures. Adaptation helps when the test images differ systematically from the training images (another scanner, ' +
    'exposure or processing); it assumes a set of at least one batch that mixes the classes roughly as training did, and ' +
    'can hurt when only the share of sick patients changed.' +
    [...reasons, ...notes].map((line) => `\n- ${text(line)}`).join('')
  );
}

/** Mean ± sd over seeds of both metric sets, per model. */
function renderAdaptationOverSeeds(records: readonly ResultRecord[]): string {
  const ms = (s: Stat | null | undefined) =>
    s ? `${formatRatio(s.mean)} ± ${s.sd == null ? MISSING : formatRatio(s.sd)}` : MISSING;
  const rows = summariseRecords(records).map((m) => {
    const b = m.beforeAdaptation;
    return (
      `| ${cell(m.label)} | ${m.okRuns} | ${m.adaptedRuns ?? 0} | ${ms(b?.accuracy)} → ${ms(m.accuracy)} | ${ms(b?.sensitivity)} → ${ms(m.sensitivity)} | ` +
      `${ms(b?.specificity)} → ${ms(m.specificity)} | ${ms(b?.auc)} → ${ms(m.auc)} |`
    );
  });
  return [
    'Over seeds (mean ± sample sd, as trained → adapted):',
    '',
    '| Model | Runs ok | Adapted | Accuracy | Sensitivity | Specificity | AUC |',
    '|:---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

function renderCalibration(records: readonly ResultRecord[]): string {
  const positive = records.find((r) => r.positiveClass)?.positiveClass ?? 'positive';
  const rows = records.map((r) => {
    const c = r.test?.calibration;
    const p = r.prior;
    return (
      `| ${cell(modelName(r))} | ${seedCell(r)} | ${formatRatio(c?.ece)} | ${formatRatio(c?.brier)} | ${formatRatio(p?.trainingPrevalence)} | ` +
      `${formatRatio(p?.estimatedPrevalence)} | ${formatRatio(p?.correctedThreshold)} | ${formatRatio(p?.correctedAccuracy)} | ` +
      `${formatRatio(p?.correctedSpecificity)} |`
    );
  });
  return (
    [
      `| Model | Seed | ECE | Brier | ${cell(positive)} share trained for | estimated on test | prior-corrected threshold | accuracy there | specificity there |`,
      '|:---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n') +
    `\n\nECE: expected calibration error of P(${text(positive)}) over 10 equal-width bins (0 = the probabilities can be taken ` +
    "at their word); Brier: mean squared error of that probability. The estimated share comes from the model's own " +
    'posteriors on the unlabelled test images (EM of Saerens, Latinne & Decaestecker 2002); the prior-corrected threshold ' +
    'is the recorded threshold after correcting the posteriors to that share. It assumes only the class mix changed, ' +
    `and calibrated posteriors. ${MISSING} marks a value that could not be estimated.`
  );
}

function cell(s: string): string {
  return text(s).replace(/\|/g, '\\|');
}

function text(s: string): string {
  return s.replace(/\s*\r?\n\s*/g, ' ');
}
