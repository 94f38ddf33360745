/**
 * Auto's measurements in Node: a real training step timed on wasm and cpu, a model that cannot be built and a
 * backend over its time limit left out with the reason, the fastest chosen, and 'auto' falling back to its
 * static choice (wasm) where there is no GPU to compare with. Timed in Chromium against real (software) GPUs by
 * test/e2e/backend.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectFastestBackend, type MeasurementCache } from '../../src/lab/backend/auto-backend';
import {
  calibrateBackends,
  fastestBackend,
  type BackendMeasurement,
  type CalibrationTarget,
} from '../../src/lab/backend/calibrate';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { findModel } from '../../src/lab/registry';
import { measureTrainingSpeed } from '../../src/lab/train/training-speed';

const TINY: CalibrationTarget = { modelId: 'light-k1', size: 16, channels: 1, batchSize: 4 };
const build = (t: CalibrationTarget) => findModel(t.modelId).build({ size: t.size, channels: t.channels, seed: 1 });
const measure = (t: CalibrationTarget, limits: Parameters<typeof measureTrainingSpeed>[2]) =>
  measureTrainingSpeed(() => build(t), t, limits);

describe('calibration', () => {
  it('times the training step of the target on the current backend and frees everything', async () => {
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const imagesPerSec = await measureTrainingSpeed(() => build(TINY), TINY, { budgetMs: 100 });
    expect(imagesPerSec).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('measures every candidate and picks the fastest', async () => {
    const measured = await calibrateBackends({
      candidates: ['wasm', 'cpu'],
      target: TINY,
      measure,
      select: (n) => selectBackend(n),
      budgetMs: 100,
    });
    expect(measured.map((m) => m.name)).toEqual(['wasm', 'cpu']);
    for (const m of measured) {
      expect(m.note).toBeNull();
      expect(m.imagesPerSec).toBeGreaterThan(0);
    }
    const best = measured[0].imagesPerSec! >= measured[1].imagesPerSec! ? 'wasm' : 'cpu';
    expect(fastestBackend(measured)).toBe(best);
  });

  it('leaves out a backend whose calibration throws or overruns, with the reason', async () => {
    const tooSmall: CalibrationTarget = { modelId: 'cnn', size: 16, channels: 1, batchSize: 2 };
    const [threw] = await calibrateBackends({
      candidates: ['wasm'],
      target: tooSmall,
      measure,
      select: (n) => selectBackend(n),
    });
    expect(threw.imagesPerSec).toBeNull();
    expect(threw.note).toMatch(/^calibration threw: .*cnn needs an input of at least 50/);
    // cpu trains cnn at 64 px far slower than 30 ms a step.
    const big: CalibrationTarget = { modelId: 'cnn', size: 64, channels: 1, batchSize: 4 };
    const [slow] = await calibrateBackends({
      candidates: ['cpu'],
      target: big,
      measure,
      select: (n) => selectBackend(n),
      timeoutMs: 30,
    });
    expect(slow).toEqual({
      name: 'cpu',
      imagesPerSec: null,
      note: 'no figure within 30 ms (start-up and a few training steps)',
    });
    expect(fastestBackend([threw, slow])).toBeNull();
  });

  it('auto without a GPU is the static choice (wasm), measured or not, and the cache is never asked', async () => {
    const asked: string[] = [];
    const cache: MeasurementCache = {
      get: async (key) => {
        asked.push(key);
        return null;
      },
      put: async () => undefined,
    };
    const options = { select: (p: Parameters<typeof selectBackend>[0]) => selectBackend(p), measure, cache };
    const plain = await selectFastestBackend({ ...options, target: null });
    expect(plain.selection.name).toBe('wasm');
    expect(plain.measured).toBeNull();
    const targeted = await selectFastestBackend({ ...options, target: TINY });
    expect(targeted.selection.name).toBe('wasm');
    expect(targeted.measured).toBeNull();
    expect(targeted.note).toBe('no hardware GPU to compare with wasm');
    expect(asked).toEqual([]);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('picks nothing from figures that are all missing', () => {
    const none: BackendMeasurement[] = [{ name: 'webgl', imagesPerSec: null, note: 'lost' }];
    expect(fastestBackend(none)).toBeNull();
    expect(
      fastestBackend([
        ...none,
        { name: 'wasm', imagesPerSec: 3, note: null },
        { name: 'webgpu', imagesPerSec: 3, note: null },
      ]),
    ).toBe('wasm');
  });
});
