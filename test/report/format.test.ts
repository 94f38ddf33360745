import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatFixed,
  formatInteger,
  formatRatio,
  formatWithInterval,
  MISSING,
} from '../../src/lab/report/format';

describe('format', () => {
  it('gives ratios three decimals and a dash when missing', () => {
    expect(formatRatio(0.8349)).toBe('0.835');
    expect(formatRatio(1)).toBe('1.000');
    expect(formatRatio(0)).toBe('0.000');
    expect(formatRatio(0.5, 1)).toBe('0.5');
    expect(formatRatio(null)).toBe(MISSING);
    expect(formatRatio(undefined)).toBe(MISSING);
    expect(formatRatio(Number.NaN)).toBe(MISSING);
  });

  it('groups integers by thousands', () => {
    expect(formatInteger(21_806_882)).toBe('21,806,882');
    expect(formatInteger(2753)).toBe('2,753');
    expect(formatInteger(999)).toBe('999');
    expect(formatInteger(1000)).toBe('1,000');
    expect(formatInteger(0)).toBe('0');
    expect(formatInteger(-1234567)).toBe('-1,234,567');
    expect(formatInteger(null)).toBe(MISSING);
  });

  it('writes sizes in binary units', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(2560)).toBe('2.5 KiB');
    expect(formatBytes(1023 * 1024)).toBe('1023.0 KiB');
    expect(formatBytes(88_803_328)).toBe('84.69 MiB'); // 84.6895… MiB, the study's InceptionV3 file
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB');
    expect(formatBytes(null)).toBe(MISSING);
  });

  it('writes durations in seconds, minutes or hours', () => {
    expect(formatDuration(4210)).toBe('4.2 s');
    expect(formatDuration(59_940)).toBe('59.9 s');
    expect(formatDuration(59_960)).toBe('1 min 00 s'); // would otherwise print "60.0 s"
    expect(formatDuration(725_000)).toBe('12 min 05 s');
    expect(formatDuration(3_900_000)).toBe('1 h 05 min');
    expect(formatDuration(undefined)).toBe(MISSING);
  });

  it('writes fixed decimals and intervals', () => {
    expect(formatFixed(64.33, 1)).toBe('64.3');
    expect(formatFixed(null, 1)).toBe(MISSING);
    expect(formatWithInterval(0.9412, { low: 0.9213, high: 0.9597 })).toBe('0.941 (0.921–0.960)');
    expect(formatWithInterval(0.9412, null)).toBe('0.941');
    expect(formatWithInterval(null, { low: 0.1, high: 0.2 })).toBe(MISSING);
  });
});
