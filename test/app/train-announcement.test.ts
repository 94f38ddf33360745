import { describe, expect, it } from 'vitest';
import { trainAnnouncement } from '../../src/app/lib/train-announcement';
import type { RunProgress } from '../../src/app/state/lab-state';

const run = (modelId: string, phase: RunProgress['phase'], epochsDone = 0): RunProgress => ({
  modelId,
  seed: 1,
  phase,
  message: null,
  start: null,
  startVal: null,
  features: null,
  cachedSplits: [],
  autosave: [],
  progress:
    phase === 'training'
      ? ({ epoch: epochsDone + 1, epochs: 5, batch: 3, batchesPerEpoch: 8 } as RunProgress['progress'])
      : null,
  history: Array.from({ length: epochsDone }, (_, i) => ({
    epoch: i + 1,
    loss: 0.5,
    accuracy: 0.7,
    valLoss: 0.6,
    valAccuracy: 0.7,
    imagesPerSec: 100,
  })),
});
const queue = [
  { modelId: 'cnn', seed: 1 },
  { modelId: 'light-k2', seed: 1 },
];
const label = (id: string) => ({ cnn: 'Conv2D CNN', 'light-k2': 'LightLayers k=2' })[id] ?? id;

describe('trainAnnouncement', () => {
  it('names the model in training and its finished epochs, and changes per epoch, not per batch', () => {
    const runs = { 'cnn@1': run('cnn', 'done', 5), 'light-k2@1': run('light-k2', 'training', 2) };
    const text = trainAnnouncement(queue, runs, true, label);
    expect(text).toBe('Training LightLayers k=2: epoch 2 of 5 done; 1 of 2 runs finished.');
    const laterBatch = {
      ...runs,
      'light-k2@1': { ...runs['light-k2@1'], progress: { ...runs['light-k2@1'].progress!, batch: 7 } },
    };
    expect(trainAnnouncement(queue, laterBatch, true, label)).toBe(text);
  });

  it('says how the queue ended', () => {
    const runs = { 'cnn@1': run('cnn', 'done', 5), 'light-k2@1': run('light-k2', 'failed', 1) };
    expect(trainAnnouncement(queue, runs, false, label)).toBe(
      'Training finished: 1 of 2 runs done, 1 failed, cancelled or skipped. The comparison is in step 4.',
    );
    expect(trainAnnouncement([], {}, false, label)).toBe('');
    // Results opened from a file, or restored after a reload, were not trained here.
    expect(trainAnnouncement(queue, runs, false, label, false)).toBe('');
  });
});
