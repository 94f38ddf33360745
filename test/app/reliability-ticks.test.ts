import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ReliabilityDiagrams } from '../../src/app/components/ReliabilityDiagrams';
import type { ModelResult } from '../../src/worker/protocol';

const result = {
  modelId: 'cnn',
  seed: 1,
  classNames: ['NORMAL', 'PNEUMONIA'],
  positiveClass: 1,
  record: {
    test: {
      calibration: {
        ece: 0.05,
        brier: 0.1,
        bins: [{ lower: 0.4, upper: 0.5, count: 10, meanPredicted: 0.45, observedRate: 0.5 }],
      },
    },
  },
} as unknown as ModelResult;

describe('ReliabilityDiagrams', () => {
  it('marks 0, 0.25, 0.5, 0.75 and 1 on both axes', () => {
    const html = renderToStaticMarkup(
      createElement(ReliabilityDiagrams, {
        runs: [{ modelId: 'cnn', label: 'CNN', result }],
        positive: 'PNEUMONIA',
        unadapted: false,
      }),
    );
    const ticks = [...html.matchAll(/data-tick="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // Each tick labels both axes.
    for (const t of ['0.25', '0.5', '0.75']) expect(html.split(`>${t}</text>`).length - 1).toBe(2);
  });
});
