/** The experiment card: what it holds, a round trip through text, and every way a loaded card is refused. */
import { describe, expect, it } from 'vitest';
import {
  EXPERIMENT_FORMAT_VERSION,
  makeExperimentCard,
  parseExperimentCard,
  parseExperimentOrResults,
  renderExperimentCard,
  type ExperimentCard,
} from '../../src/lab/experiment/card';
import { renderModelCard } from '../../src/lab/experiment/model-card';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { makeResultRecord } from '../../src/lab/report/result-record';
import { renderResultsJson } from '../../src/lab/report/render-json';
import { evaluationFrom, summary } from '../report/fixtures';

const experiment = { ...defaultExperiment(), models: ['cnn', 'light-k2'], seeds: [1, 2] };
const record = (modelId: string, seed: number, test: number[][], val: number[][]) =>
  makeResultRecord(
    summary({ modelId, label: modelId, seed }),
    evaluationFrom(test, 0.9, 0.3),
    evaluationFrom(val, 0.95, 0.2),
  );
const results = [
  record(
    'cnn',
    1,
    [
      [1, 1],
      [0, 2],
    ],
    [
      [2, 0],
      [0, 2],
    ],
  ),
  record(
    'light-k2',
    1,
    [
      [2, 0],
      [0, 2],
    ],
    [
      [2, 0],
      [0, 2],
    ],
  ),
  record(
    'cnn',
    2,
    [
      [0, 2],
      [0, 2],
    ],
    [
      [2, 0],
      [0, 2],
    ],
  ),
];
const parts: Parameters<typeof makeExperimentCard>[0] = {
  settings: experiment,
  data: {
    source: 'xrays',
    kind: 'folder',
    classNames: ['NORMAL', 'PNEUMONIA'],
    identity: { files: 40, filesPerClass: { NORMAL: 20, PNEUMONIA: 20 }, fingerprint: '0123456789abcdef', root: '' },
    test: null,
    testSet: 'a patient-level 20% of the data held out (4 images)',
    split: { train: ['a'], val: ['b'], test: ['c', 'd', 'e', 'f'], hash: 'fedcba9876543210' },
  },
  environment: {
    labVersion: '0.2.0',
    tfjsVersion: '4.22.0',
    backend: 'wasm',
    adapter: '',
    runtime: 'node',
    agent: 'Node.js v20',
  },
  results,
  testImages: { files: ['c', 'd', 'e', 'f'], labels: Int32Array.of(0, 0, 1, 1) },
  predictions: results.map((r) => ({
    modelId: r.modelId,
    seed: r.seed,
    probabilities: Float32Array.of(0.1234567, 0.8765433, 0.9, 0.1, 0.2, 0.8, 0.3, 0.7),
  })),
  createdAt: new Date(Date.UTC(2026, 11, 2)),
};
const card: ExperimentCard = makeExperimentCard(parts);
const text = renderExperimentCard(card);

describe('experiment card', () => {
  it('holds the settings, data, environment, records, per-model summary and rounded predictions', () => {
    expect(card).toMatchObject({
      format: 'xray-lab-experiment',
      version: EXPERIMENT_FORMAT_VERSION,
      createdAt: '2026-12-02T00:00:00.000Z',
    });
    expect(card.summary.map((m) => [m.modelId, m.seeds, m.degenerateRuns])).toEqual([
      ['cnn', [1, 2], [2]],
      ['light-k2', [1], []],
    ]);
    expect(card.predictions[0].probabilities.slice(0, 2)).toEqual([0.123457, 0.876543]);
    expect(card.testImages.labels).toEqual([0, 0, 1, 1]);
  });

  it('tests the pairs of each seed from the rounded probabilities, and keeps given tests when it has no probabilities', () => {
    // Seed 1 has cnn and light-k2 (one pair); seed 2 cnn alone.
    expect(card.comparisons.map((c) => `${c.seed}:${c.a}-${c.b}`)).toEqual(['1:cnn-light-k2']);
    expect(parseExperimentCard(text).comparisons).toEqual(card.comparisons);
    const opened = makeExperimentCard({ ...parts, predictions: [], comparisons: card.comparisons });
    expect(opened.comparisons).toEqual(card.comparisons);
  });

  it('reads back what it wrote', () => {
    expect(parseExperimentCard(text)).toEqual(JSON.parse(text));
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the edits reach into any part of a card's JSON
  const refuse = (what: string, edit: (c: Record<string, any>) => unknown, message: RegExp) =>
    it(`refuses ${what}, naming the file and the field`, () => {
      const copy = JSON.parse(text);
      const replaced = edit(copy);
      const bad = typeof replaced === 'string' ? replaced : JSON.stringify(copy);
      expect(() =>
        parseExperimentCard(bad, 'exp.json', {
          checkModel: (id) => (id === 'resnet' ? 'unknown model id "resnet"' : null),
        }),
      ).toThrow(message);
    });
  refuse('a truncated file', () => text.slice(0, 200), /^exp\.json: not valid JSON \(.*\); is the file complete\?$/);
  refuse(
    'a file of another kind',
    (c) => {
      c.format = 'something-else';
    },
    /^exp\.json: is not an X-Ray Lab experiment card \(format is "something-else"/,
  );
  refuse(
    'a results file',
    () => renderResultsJson(results, {}),
    /^exp\.json: is a results file, not an experiment card/,
  );
  refuse(
    'a newer format version',
    (c) => {
      c.version = EXPERIMENT_FORMAT_VERSION + 1;
    },
    /^exp\.json: was written by a newer X-Ray Lab \(format version 2; this one reads up to 1\): update the lab$/,
  );
  refuse(
    'an unknown model id',
    (c) => {
      c.settings.models = ['cnn', 'resnet'];
    },
    /^exp\.json: settings\.models must name known models: unknown model id "resnet"$/,
  );
  refuse(
    'an out-of-bounds value',
    (c) => {
      c.settings.epochs = 0;
    },
    /^exp\.json: settings\.epochs must be a whole number from 1 to 10000 \(got 0\)$/,
  );
  refuse(
    'an unknown setting',
    (c) => {
      c.settings.warp = 9;
    },
    /^exp\.json: settings\.warp is not a setting this lab knows$/,
  );
  refuse(
    'a bad fingerprint',
    (c) => {
      c.data.identity.fingerprint = 'xyz';
    },
    /data\.identity\.fingerprint must be 16 hex digits/,
  );
  refuse(
    'a record without a status',
    (c) => {
      delete c.results[1].status;
    },
    /^exp\.json: result 1 \(light-k2\) has unknown status undefined$/,
  );
  refuse(
    'predictions of the wrong length',
    (c) => {
      c.predictions[2].probabilities.pop();
    },
    /^exp\.json: predictions\[2\] \(cnn, seed 2\) holds 7 probabilities; 4 test images × 2 classes expected$/,
  );

  it('opens a results file as a card without data identity or predictions', () => {
    const opened = parseExperimentOrResults(renderResultsJson(results, { data: 'xrays' }, experiment), 'results.json');
    expect(opened.settings).toEqual(experiment);
    expect(opened.results).toEqual(results);
    expect(opened.summary).toEqual(card.summary);
    expect(opened.data).toMatchObject({ source: 'xrays', classNames: ['NORMAL', 'PNEUMONIA'] });
    expect(opened.predictions).toEqual([]);
    expect(parseExperimentOrResults(text, 'experiment.json')).toEqual(JSON.parse(text));
  });
});

describe('model card', () => {
  const md = renderModelCard(card, results[0]);

  it('has the sections of Model Cards (Mitchell et al. 2019) and says it is not for diagnosis', () => {
    for (const heading of [
      '# Model card: cnn, seed 1',
      '## Model details',
      '## Intended use',
      '## Training data',
      '## Evaluation data',
      '## Metrics',
      '## Validation → test gap',
      '## Caveats and recommendations',
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('**Not for diagnosis.**');
    expect(md).toContain('fingerprint 0123456789abcdef');
    expect(md).toContain('Test set: a patient-level 20% of the data held out (4 images)');
  });

  it('states the metrics at the threshold, next to validation', () => {
    // test 3/4 right, validation 4/4
    expect(md).toContain('| Accuracy | 0.750 | — | 1.000 |');
    expect(md).toContain('at threshold 0.5');
  });

  it('warns of dataset shift when test accuracy falls more than 0.10 below validation accuracy, and of degenerate runs', () => {
    expect(md).toContain('gap 0.250. The test images differ from the training images (dataset shift)');
    const flat = renderModelCard(card, results[1]);
    expect(flat).toContain('No sign of dataset shift');
    expect(renderModelCard(card, results[2])).toContain('This run is degenerate: every test image got the same class');
  });
});

describe('lab version', () => {
  it('is the version in package.json, so a card names the release that wrote it', async () => {
    const { readFileSync } = await import('node:fs');
    const { LAB_VERSION } = await import('../../src/lab/version');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(LAB_VERSION).toBe(pkg.version);
  });
});
