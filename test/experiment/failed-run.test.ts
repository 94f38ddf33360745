/** A failed run's record, built one way for a runner's failure and for a run the loop interrupted. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runConfig } from '../../src/lab/experiment/run-config';
import { failedRun, recordBaseOf } from '../../src/lab/experiment/run-types';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

describe('a failed run', () => {
  const config = runConfig(defaultExperiment({ size: 32, epochs: 4 }), 7, 1);

  it('starts from what is known before the model is built', () => {
    expect(recordBaseOf('light-k2', config, ['A', 'B'])).toEqual({
      modelId: 'light-k2',
      label: 'light-k2',
      params: 0,
      trainableParams: 0,
      inputSize: 32,
      channels: config.channels,
      backend: tf.getBackend(),
      seed: 7,
      epochsRun: 0,
      epochsPlanned: 4,
      classNames: ['A', 'B'],
      positiveClass: 1,
    });
  });

  it('records the reason, from an error or a string, and the epochs trained before it failed', () => {
    const base = recordBaseOf('cnn', config, ['A', 'B']);
    const broke = failedRun(base, 'the backend was lost');
    expect(broke.model).toBeNull();
    expect(broke.evaluation).toBeNull();
    expect(broke.record).toMatchObject({ status: 'failed', error: 'the backend was lost', epochsRun: 0, test: null });
    expect(broke.record).not.toHaveProperty('history');
    const history = [{ epoch: 1, loss: 0.5, accuracy: 0.75, valLoss: 0.6, valAccuracy: 0.7, imagesPerSec: 10 }];
    const midway = failedRun(base, new Error('out of memory'), { epochsRun: 1, history });
    expect(midway.record).toMatchObject({ error: 'out of memory', epochsRun: 1, history });
  });
});
