/**
 * A model card per run (model-card.md), in the sections of Model Cards for Model Reporting (Mitchell et al. 2019):
 * model details, intended use, training data, evaluation data and split, metrics with their intervals at the stated
 * threshold, the validation → test gap, and caveats. Written next to experiment.json by the page and the CLI.
 */
import { describeRecipe } from './recipe-ingredients';
import { formatBytes, formatInteger, formatRatio, MISSING } from '../report/format';
import type { ResultRecord } from '../report/result-record';
import type { TestRecord } from '../report/test-record';
import { SHIFT_WARNING_GAP, isDegenerate, valTestGap } from '../report/summary';
import { positiveApplies, positiveFigure } from '../report/multi-class-record';
import type { CardData, Environment } from './card';
import type { Experiment } from './schema';

export interface ModelCardInput {
  readonly settings: Experiment;
  readonly data: CardData;
  readonly environment: Environment;
  readonly createdAt: string;
}

/** How the kernels that trained read in the card ('' when the card does not say). */
const KERNELS_NOTE: Record<string, string> = {
  lab: " with the lab's kernels",
  stock: ' with stock tfjs kernels',
  '': '',
};

/** The Markdown model card of one run. */
export function renderModelCard(input: ModelCardInput, record: ResultRecord): string {
  const { settings: s, data, environment: env } = input;
  const positive = record.positiveClass ?? 'the positive class';
  const lines: string[] = [];
  lines.push(`# Model card: ${record.label}, seed ${record.seed}`);
  lines.push(
    `Trained with X-Ray Lab ${env.labVersion} on ${input.createdAt.slice(0, 10)}. Status: **${record.status}**${record.error ? ` (${flat(record.error)})` : ''}.`,
  );

  lines.push('## Model details');
  lines.push(
    bullets([
      `Architecture: ${record.label} (\`${record.modelId}\`)${record.backbone ? `, frozen ${record.backbone.network} backbone (weights ${record.backbone.weightsId} from ${flat(record.backbone.origin)})` : ''}.`,
      `Parameters: ${formatInteger(record.params)} in all, ${formatInteger(record.trainableParams)} trained; weights ${formatBytes(record.bytes)}.`,
      `Input: ${record.inputSize}×${record.inputSize}×${record.channels}; outputs one score per class (${record.classNames.join(', ')}).`,
      `Training: ${record.epochsRun} of ${record.epochsPlanned} epochs${record.bestEpoch != null ? `, weights of epoch ${record.bestEpoch} kept (lowest validation loss)` : ''}; ` +
        `Adam, learning rate ${s.learningRate}, batch ${s.batchSize}, seed ${record.seed}${s.augment && !record.backbone ? ', augmentation on' : ''}` +
        `${s.classWeights === 'balanced' ? ', balanced class weights' : ''}; BatchNorm recalibration ${s.bnRecalibration} batches.`,
      // This model's own recipe: a transfer model's card says its head was not augmented.
      describeRecipe({ ...s, models: [record.modelId] }),
      `Trained on ${record.backend || env.backend}${env.adapter ? ` (${flat(env.adapter)})` : ''}${KERNELS_NOTE[env.kernels ?? '']}, ` +
        `tfjs ${env.tfjsVersion}, ${flat(env.agent)}.`,
    ]),
  );

  lines.push('## Intended use');
  lines.push(
    'Teaching and research: comparing network architectures on chest X-rays, and showing how such models behave. ' +
      '**Not for diagnosis.** It has not been validated clinically, was trained on one public dataset of paediatric ' +
      'X-rays, and must not inform the care of any patient.',
  );

  lines.push('## Training data');
  const counts = Object.entries(data.identity.filesPerClass)
    .map(([c, n]) => `${c} ${formatInteger(n)}`)
    .join(', ');
  lines.push(
    bullets([
      `Source: ${flat(data.source)} (${formatInteger(data.identity.files)} image files: ${counts}; fingerprint ${data.identity.fingerprint}).`,
      `Split (patient-level, seeded by ${s.seeds[0]}): train ${data.split.train.length}, validation ${data.split.val.length}, test ${data.split.test.length} images; manifest hash ${data.split.hash}.`,
      s.limit > 0
        ? `A seeded, class-stratified subset of at most ${s.limit} images was used.`
        : 'Every readable image was used.',
    ]),
  );

  lines.push('## Evaluation data');
  lines.push(
    `Test set: ${flat(data.testSet)}${data.test ? ` (${flat(data.test.source)}, fingerprint ${data.test.identity.fingerprint})` : ''}, ` +
      `${record.test ? formatInteger(record.test.count) : MISSING} images. ` +
      (positiveApplies(record.test)
        ? `${positive} is the positive class.`
        : `No class is singled out as positive (${record.classNames.length} classes).`),
  );

  lines.push('## Metrics');
  lines.push(record.test ? metricsTable(record.test, record.validation) : 'No evaluation: the run did not finish.');
  if (record.test) {
    lines.push(
      (record.test.multiClass
        ? 'Accuracy counts each image as its most probable class; balanced accuracy is the mean per-class ' +
          'sensitivity; AUC is the mean of each class against the rest. '
        : '') +
        (positiveApplies(record.test)
          ? `Sensitivity, specificity, precision and F1 count ${positive} as positive at threshold ${record.test.threshold}. `
          : '') +
        (record.test.ci
          ? `Intervals: ${Math.round(record.test.ci.level * 100)}% percentile bootstrap over ${formatInteger(record.test.ci.iterations)} resamples of the test images.`
          : 'No intervals were computed (bootstrap 0).'),
    );
  }

  lines.push('## Validation → test gap');
  const gap = valTestGap(record);
  lines.push(
    gap == null
      ? 'Not available (no validation set, or no evaluation).'
      : `Validation accuracy ${formatRatio(record.validation!.accuracy)}, test accuracy ${formatRatio(record.test!.accuracy)}: gap ${formatRatio(gap)}. ` +
          (gap > SHIFT_WARNING_GAP
            ? 'The test images differ from the training images (dataset shift): trust the test figure, not the validation one.'
            : 'No sign of dataset shift between validation and test images.'),
  );

  lines.push('## Caveats and recommendations');
  lines.push(
    bullets([
      "One run is one draw: repeat over seeds (the experiment's `seeds`) before reading differences between architectures.",
      ...(record.test && isDegenerate(record.test)
        ? [`This run is degenerate: every test image got the same class at threshold ${record.test.threshold}.`]
        : []),
      "Accuracy depends on the threshold and on the test set's class balance; AUC does not depend on the threshold.",
      'Images of this dataset carry shortcuts (text markers, borders, body size) a network may use instead of the lungs.',
      'Figures from another test split (e.g. the official 624 Kermany test images) are not comparable with these.',
    ]),
  );
  return `${lines.join('\n\n')}\n`;
}

function metricsTable(test: TestRecord, validation: TestRecord | null): string {
  const ci = test.ci;
  type Row = [string, number | null, string, number | null | undefined];
  const rows: Row[] = [
    [
      'Accuracy',
      test.accuracy,
      ci ? `${formatRatio(ci.accuracy.low)}–${formatRatio(ci.accuracy.high)}` : MISSING,
      validation?.accuracy,
    ],
    ...(test.multiClass
      ? [
          [
            'Balanced accuracy',
            test.multiClass.balancedAccuracy,
            MISSING,
            validation?.multiClass?.balancedAccuracy,
          ] as Row,
        ]
      : []),
    [
      'Sensitivity',
      positiveFigure(test, (t) => t.sensitivity),
      MISSING,
      positiveFigure(validation, (t) => t.sensitivity),
    ],
    [
      'Specificity',
      positiveFigure(test, (t) => t.specificity),
      MISSING,
      positiveFigure(validation, (t) => t.specificity),
    ],
    ['Precision', positiveFigure(test, (t) => t.precision), MISSING, positiveFigure(validation, (t) => t.precision)],
    ['F1', positiveFigure(test, (t) => t.f1), MISSING, positiveFigure(validation, (t) => t.f1)],
    ['AUC', test.auc, ci?.auc ? `${formatRatio(ci.auc.low)}–${formatRatio(ci.auc.high)}` : MISSING, validation?.auc],
  ];
  return [
    '| metric | test | 95% interval | validation |',
    '|:---|---:|---:|---:|',
    ...rows.map(
      ([name, value, interval, val]) => `| ${name} | ${formatRatio(value)} | ${interval} | ${formatRatio(val)} |`,
    ),
  ].join('\n');
}

function bullets(items: string[]): string {
  return items.map((i) => `- ${i}`).join('\n');
}

/** One line: no Markdown block can start inside a value. */
function flat(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}
