import { describe, expect, it } from 'vitest';
import {
  consecutiveSeeds,
  DEFAULT_SETTINGS,
  experimentOf,
  settingsFromHash,
  settingsToHash,
  validateSettings,
  type Settings,
} from '../../src/app/state/settings';
import { CLI_DEFAULTS, defaultExperiment } from '../../src/lab/experiment/schema';
import type { ModelInfo } from '../../src/worker/protocol';

describe('page settings', () => {
  it('are the core experiment plus the demo size, with the schema defaults', () => {
    expect(experimentOf(DEFAULT_SETTINGS)).toEqual(defaultExperiment());
    expect(DEFAULT_SETTINGS.demoPerClass).toBe(150);
    // The CLI differs only where CLI_DEFAULTS says so.
    expect(Object.keys(CLI_DEFAULTS).sort()).toEqual(['epochs', 'models']);
  });

  it('round-trip through the URL hash, written with the CLI flag names', () => {
    const s: Settings = {
      ...DEFAULT_SETTINGS,
      size: 64,
      epochs: 1,
      batchSize: 16,
      seeds: [3, 4],
      models: ['cnn'],
      backend: 'wasm',
      demoPerClass: 30,
      positiveClass: 'NORMAL',
    };
    const hash = settingsToHash(s);
    expect(hash).toBe(
      '#models=cnn&size=64&epochs=1&batch=16&seeds=3%2C4&positive=NORMAL&backend=wasm&demo-per-class=30',
    );
    expect(settingsFromHash(hash)).toEqual(s);
    expect(settingsToHash(DEFAULT_SETTINGS)).toBe('');
  });

  it('read older links (JSON keys) and ignore what does not fit', () => {
    const s = settingsFromHash(
      '#size=64&epochs=1&batchSize=16&models=cnn,light-k2&backend=wasm&demoPerClass=30&epochs=0&channels=2',
    );
    expect(s).toMatchObject({
      size: 64,
      batchSize: 16,
      models: ['cnn', 'light-k2'],
      backend: 'wasm',
      demoPerClass: 30,
      channels: 3,
    });
    expect(settingsFromHash('#demo-per-class=2').demoPerClass).toBe(150);
  });

  it("validate with the schema's messages, and know the registry when it is listed", () => {
    expect(validateSettings({ ...DEFAULT_SETTINGS, epochs: 0 })).toEqual({
      epochs: 'must be a whole number from 1 to 10000 (got 0)',
    });
    const models = [{ id: 'cnn' }, { id: 'light-k1' }] as ModelInfo[];
    expect(validateSettings({ ...DEFAULT_SETTINGS, models: ['cnn', 'resnet'] }, models).models).toBe(
      'must name known models: unknown model id "resnet"',
    );
    expect(validateSettings({ ...DEFAULT_SETTINGS, models: ['cnn', 'light-k7'] }, models)).toEqual({});
    expect(validateSettings({ ...DEFAULT_SETTINGS, valFraction: 0.5, testFraction: 0.5 }).testFraction).toMatch(
      /at least 10% for training/,
    );
  });

  it('repeat with N seeds from the first', () => {
    expect(consecutiveSeeds(5, 3)).toEqual([5, 6, 7]);
  });
});
