/** An experiment card as the PyTorch export's spec: classes from class folders, saved-model folders, clear refusals. */
import { describe, expect, it } from 'vitest';
import type { CardData, ExperimentCard } from '../../src/lab/experiment/card';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import {
  classOfPath,
  manifestOfCard,
  pytorchSpecOfCard,
  savedModelFolder,
  trainedRunsOf,
} from '../../src/lab/export/pytorch';

const CLASSES = ['NORMAL', 'PNEUMONIA'];
const data = (split: CardData['split'], test: CardData['test'] = null): CardData => ({
  source: '/data/xray',
  kind: 'folder',
  classNames: CLASSES,
  identity: { filesPerClass: {}, files: 0, fingerprint: 'f', root: '' },
  test,
  testSet: 'test/',
  split,
});

describe('the PyTorch spec of a card', () => {
  it("reads each file's class from its class folder, with or without split folders", () => {
    expect(classOfPath('NORMAL/a.png', CLASSES)).toBe('NORMAL');
    expect(classOfPath('NORMAL/deeper/a.png', CLASSES)).toBe('NORMAL');
    expect(classOfPath('train/PNEUMONIA/b.jpeg', CLASSES)).toBe('PNEUMONIA');
    expect(classOfPath('TEST/NORMAL/c.png', CLASSES)).toBe('NORMAL');
    expect(classOfPath('a.png', CLASSES)).toBeNull();
    expect(classOfPath('other/NORMAL/a.png', CLASSES)).toBeNull();
    const manifest = manifestOfCard(
      data({
        train: ['train/NORMAL/a.png', 'train/PNEUMONIA/b.png'],
        val: [],
        test: ['test/PNEUMONIA/c.png'],
        hash: 'h',
      }),
    );
    expect(manifest).toEqual({
      train: [
        { path: 'train/NORMAL/a.png', label: 'NORMAL' },
        { path: 'train/PNEUMONIA/b.png', label: 'PNEUMONIA' },
      ],
      val: [],
      test: [{ path: 'test/PNEUMONIA/c.png', label: 'PNEUMONIA' }],
    });
  });

  it('names a file outside any class folder, and refuses a separate test folder', () => {
    expect(() => manifestOfCard(data({ train: ['NORMAL/a.png', 'loose.png'], val: [], test: [], hash: 'h' }))).toThrow(
      'data.split.train: loose.png is not inside a class folder (NORMAL, PNEUMONIA)',
    );
    const separate = data(
      { train: ['NORMAL/a.png'], val: [], test: ['NORMAL/t.png'], hash: 'h' },
      { source: '/elsewhere/test', identity: { filesPerClass: {}, files: 1, fingerprint: 'g', root: '' } },
    );
    expect(() => manifestOfCard(separate)).toThrow(/test images came from a separate folder \(\/elsewhere\/test\)/);
  });

  it('finds finished runs where compare --out saved them: models/<id>/ with one seed, models/<id>/seed-<n>/ with several', () => {
    expect(savedModelFolder('cnn', 3, [3])).toBe('models/cnn');
    expect(savedModelFolder('cnn', 3, [1, 3])).toBe('models/cnn/seed-3');
    const card = {
      settings: defaultExperiment({ models: ['cnn', 'light-k2'], seeds: [1, 2] }),
      results: [
        { modelId: 'cnn', seed: 1, status: 'ok' },
        { modelId: 'cnn', seed: 2, status: 'failed' },
        { modelId: 'light-k2', seed: 1, status: 'cancelled' },
        { modelId: 'light-k2', seed: 2, status: 'ok' },
      ],
    } as unknown as ExperimentCard;
    expect(trainedRunsOf(card)).toEqual([
      { modelId: 'cnn', seed: 1, folder: 'models/cnn/seed-1' },
      { modelId: 'light-k2', seed: 2, folder: 'models/light-k2/seed-2' },
    ]);
  });

  it('takes the settings as hyperparameters and the positive class by name', () => {
    const card = {
      createdAt: '2026-01-01T00:00:00.000Z',
      settings: defaultExperiment({ models: ['light-k1'], seeds: [4], size: 32, epochs: 3, positiveClass: 'normal' }),
      data: data({ train: ['NORMAL/a.png'], val: [], test: ['PNEUMONIA/b.png'], hash: 'h' }),
      results: [],
    } as unknown as ExperimentCard;
    const spec = pytorchSpecOfCard(card);
    expect(spec).toMatchObject({ models: ['light-k1'], classNames: CLASSES, positiveClass: 0, trained: [] });
    expect(spec.hyperparameters).toMatchObject({ size: 32, epochs: 3, seeds: [4] });
  });
});
