/**
 * The `kernels` setting (lab | stock): one schema field, so the CLI reads --kernels, a URL hash carries kernels=,
 * experiment.json records it, and the card says which kernels trained.
 */
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/experiment-flags';
import { makeExperimentCard } from '../../src/lab/experiment/card';
import { renderModelCard } from '../../src/lab/experiment/model-card';
import { makeResultRecord } from '../../src/lab/report/result-record';
import { defaultExperiment, findField } from '../../src/lab/experiment/schema';
import { experimentFromParams, experimentToParams } from '../../src/lab/experiment/url-hash';
import { experimentFromJson } from '../../src/lab/experiment/validate';
import { evaluationFrom, summary } from '../report/fixtures';

describe('the kernels setting', () => {
  it('is a choice of lab or stock, lab by default, under the flag kernels', () => {
    const field = findField('kernels');
    expect(field).toMatchObject({
      key: 'kernels',
      flag: 'kernels',
      kind: 'choice',
      options: ['lab', 'stock'],
      default: 'lab',
    });
    expect(defaultExperiment().kernels).toBe('lab');
  });

  it('reads --kernels on the command line and refuses anything else', () => {
    expect(parseCommandLine(['--kernels', 'stock'], {}, 'compare').settings).toEqual({ kernels: 'stock' });
    expect(() => parseCommandLine(['--kernels', 'fast'], {}, 'compare')).toThrow(/--kernels must be one of lab, stock/);
  });

  it('travels in the URL hash only when it differs from the default', () => {
    const defaults = defaultExperiment();
    expect(experimentToParams(defaults, defaults)).toEqual([]);
    const stock = { ...defaults, kernels: 'stock' as const };
    expect(experimentToParams(stock, defaults)).toEqual([['kernels', 'stock']]);
    expect(experimentFromParams(new URLSearchParams('kernels=stock'), defaults).experiment.kernels).toBe('stock');
  });

  it('is read from experiment.json, and an older one without it means lab', () => {
    const defaults = defaultExperiment();
    expect(experimentFromJson({ ...defaults, kernels: 'stock' }, defaults).experiment.kernels).toBe('stock');
    const { kernels: _dropped, ...older } = defaults;
    const read = experimentFromJson(older, defaults);
    expect(read.problems).toEqual([]);
    expect(read.experiment.kernels).toBe('lab');
  });

  it('is recorded in the card with the kernels that trained, and named in the model card', () => {
    const settings = { ...defaultExperiment(), kernels: 'stock' as const };
    const record = makeResultRecord(
      summary({ modelId: 'cnn', label: 'cnn', seed: 1 }),
      evaluationFrom(
        [
          [1, 1],
          [0, 2],
        ],
        0.9,
        0.3,
      ),
      evaluationFrom(
        [
          [2, 0],
          [0, 2],
        ],
        0.95,
        0.2,
      ),
    );
    const environment = {
      labVersion: '1',
      tfjsVersion: '4.22.0',
      backend: 'cpu',
      adapter: '',
      runtime: 'node' as const,
      agent: 'Node.js',
    };
    const cardWith = (kernels?: 'lab' | 'stock') =>
      makeExperimentCard({
        settings,
        data: {
          source: 'xrays',
          kind: 'folder',
          classNames: ['NORMAL', 'PNEUMONIA'],
          identity: { files: 4, filesPerClass: { NORMAL: 2, PNEUMONIA: 2 }, fingerprint: '0123456789abcdef', root: '' },
          test: null,
          testSet: 'held out',
          split: { train: ['a'], val: ['b'], test: ['c', 'd'], hash: 'fedcba9876543210' },
        },
        environment: { ...environment, ...(kernels ? { kernels } : {}) },
        results: [record],
        testImages: { files: ['c', 'd', 'e', 'f'], labels: Int32Array.of(0, 0, 1, 1) },
        predictions: [],
      });
    const stock = cardWith('stock');
    expect(stock.settings.kernels).toBe('stock');
    expect(stock.environment.kernels).toBe('stock');
    expect(renderModelCard(stock, record)).toMatch(/Trained on \w+ with stock tfjs kernels, tfjs 4\.22\.0/);
    expect(renderModelCard(cardWith('lab'), record)).toMatch(/Trained on \w+ with the lab's kernels, tfjs 4\.22\.0/);
    expect(renderModelCard(cardWith(), record)).toMatch(/Trained on \w+, tfjs 4\.22\.0/);
  });
});
