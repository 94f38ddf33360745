import { describe, expect, it } from 'vitest';
import { metricsFromCounts } from '../../src/lab/eval/binary-metrics';
import { thresholdIntervals, wilsonInterval } from '../../src/app/lib/intervals';

describe('wilsonInterval', () => {
  it('matches the textbook value for 8 of 10', () => {
    // p = 0.8, n = 10, z = 1.96: centre 0.7167, half-width 0.2266 (Newcombe 1998, method 3).
    const ci = wilsonInterval(8, 10)!;
    expect(ci.low).toBeCloseTo(0.4902, 4);
    expect(ci.high).toBeCloseTo(0.9433, 4);
  });

  it('stays inside [0, 1] at 0/n and n/n and narrows as n grows', () => {
    const none = wilsonInterval(0, 20)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.1611, 4);
    expect(wilsonInterval(20, 20)!.high).toBe(1);
    const small = wilsonInterval(5, 10)!;
    const large = wilsonInterval(500, 1000)!;
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('thresholdIntervals', () => {
  it('takes accuracy over every image, sensitivity over the positives and specificity over the negatives', () => {
    // tp 363, fn 27 (390 positive); tn 180, fp 54 (234 negative).
    const ci = thresholdIntervals(metricsFromCounts(0.5, 363, 54, 180, 27));
    expect(ci.accuracy).toEqual(wilsonInterval(543, 624));
    expect(ci.sensitivity).toEqual(wilsonInterval(363, 390));
    expect(ci.specificity).toEqual(wilsonInterval(180, 234));
    expect(ci.sensitivity!.low).toBeLessThan(363 / 390);
    expect(ci.sensitivity!.high).toBeGreaterThan(363 / 390);
  });
});
