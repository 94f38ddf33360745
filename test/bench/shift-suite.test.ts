/**
 * `npm run bench -- shift`: argument parsing, and one tiny run on phantom X-rays whose --json rows carry every arm.
 * No figure is asserted beyond its range: the real measurement is the benchmark itself.
 */
import { describe, expect, it } from 'vitest';
import { runShiftSuite } from '../../bench/shift/index';
import { SHIFT_CASES } from '../../bench/shift/cases';
import { DEFAULT_SHIFT_OPTIONS, parseShiftArgs } from '../../bench/shift/options';
import type { ShiftRow } from '../../bench/shift/measure';
import { formatShiftTable } from '../../bench/shift/report';

describe('bench shift arguments', () => {
  it('has the documented defaults and parses every flag', () => {
    expect(parseShiftArgs([])).toEqual(DEFAULT_SHIFT_OPTIONS);
    expect(DEFAULT_SHIFT_OPTIONS).toMatchObject({
      models: ['light-k4', 'cnn'],
      size: 64,
      channels: 1,
      epochs: 5,
      seeds: [1, 2, 3],
      transfer: null,
    });
    expect(
      parseShiftArgs([
        '--data',
        'phantom',
        '--models',
        'cnn',
        '--size',
        '56',
        '--channels',
        '3',
        '--epochs',
        '2',
        '--seeds',
        '4,5',
        '--batch',
        '8',
        '--lr',
        '0.01',
        '--limit',
        '100',
        '--val-fraction',
        '0.2',
        '--test-fraction',
        '0.3',
        '--transfer-path',
        'x',
        '--json',
        '--no-write',
      ]),
    ).toMatchObject({
      data: 'phantom',
      models: ['cnn'],
      size: 56,
      channels: 3,
      epochs: 2,
      seeds: [4, 5],
      batch: 8,
      learningRate: 0.01,
      limit: 100,
      valFraction: 0.2,
      testFraction: 0.3,
      transfer: 'x',
      json: true,
      write: false,
    });
    expect(parseShiftArgs(['--transfer']).transfer).toMatch(/mobilenet-v2-0.35-imagenet$/);
  });

  it('rejects bad values with the flag in the message', () => {
    expect(() => parseShiftArgs(['--size', '0'])).toThrow(/--size needs a whole number/);
    expect(() => parseShiftArgs(['--channels', '2'])).toThrow(/--channels must be 1 or 3/);
    expect(() => parseShiftArgs(['--test-fraction', '1.5'])).toThrow(/--test-fraction needs a number between 0 and 1/);
    expect(() => parseShiftArgs(['--speed', '3'])).toThrow(/speed/);
  });
});

describe('bench shift on phantom X-rays', () => {
  it('prints one JSON row per model × seed × shifted set, with every arm, and a table of them', async () => {
    let out = '';
    const logs: string[] = [];
    const code = await runShiftSuite(
      [
        '--data',
        'phantom',
        '--models',
        'light-k1',
        '--size',
        '16',
        '--epochs',
        '1',
        '--seeds',
        '1',
        '--limit',
        '120',
        '--json',
        '--no-write',
      ],
      {
        out: (t) => {
          out += t;
        },
        log: (l) => logs.push(l),
      },
    );
    expect(code).toBe(0);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ShiftRow);
    expect(rows.map((r) => r.shift)).toEqual(SHIFT_CASES.map((c) => c.name));
    for (const r of rows) {
      expect(r).toMatchObject({ model: 'light-k1', seed: 1 });
      for (const arm of [r.before, r.bn, r.prior, r.both]) expect(arm.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.prior.estimatedPrevalence).toBeGreaterThanOrEqual(0);
      expect(r.calibrated.ece).toBeGreaterThanOrEqual(0);
      expect(r.adaptation).toMatch(/layers|skipped/);
    }
    expect(formatShiftTable(rows).split('\n')).toHaveLength(2 + SHIFT_CASES.length);
    expect(logs.some((l) => l.startsWith('data: phantom X-rays'))).toBe(true);
  }, 120_000);

  it('says where the data is missing instead of failing later', async () => {
    const logs: string[] = [];
    const code = await runShiftSuite(['--data', '/nonexistent/folder'], { out: () => {}, log: (l) => logs.push(l) });
    expect(code).toBe(2);
    expect(logs[0]).toMatch(/no data at \/nonexistent\/folder: pass --data DIR/);
  });
});
