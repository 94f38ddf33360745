/**
 * The Compare step's parts are memoised and their props are rebuilt whenever a model finishes: the comparisons say
 * "the same" exactly when what a part shows is the same, so a finished model re-renders only what it changed and a
 * change (a count, the open cell, a new run) is never skipped.
 */
import type { MemoExoticComponent } from 'react';
import { describe, expect, it } from 'vitest';
import { ConfusionCells } from '../../src/app/components/ConfusionCells';
import { ParamsAucChart } from '../../src/app/components/ParamsAucChart';
import { ReliabilityDiagrams } from '../../src/app/components/ReliabilityDiagrams';
import { sameItems, sameMatrix, sameProps } from '../../src/app/lib/same-props';
import type { ModelResult } from '../../src/worker/protocol';

/** React.memo's comparison of a memoised component (true: the render is skipped). */
function compareOf<P>(component: unknown): (a: P, b: P) => boolean {
  const compare = (component as MemoExoticComponent<() => null> & { compare?: (a: P, b: P) => boolean }).compare;
  if (!compare) throw new Error('not memoised with a comparison');
  return compare;
}

const run = (modelId: string, seed: number) => ({ modelId, seed }) as unknown as ModelResult;

describe('prop comparisons', () => {
  it('compares arrays item by item and matrices cell by cell', () => {
    const a = run('cnn', 1);
    const b = run('cnn', 2);
    expect(sameItems([a, b], [a, b])).toBe(true);
    expect(sameItems([a, b], [b, a])).toBe(false);
    expect(sameItems([a], [a, b])).toBe(false);
    expect(
      sameMatrix(
        [
          [3, 1],
          [2, 4],
        ],
        [
          [3, 1],
          [2, 4],
        ],
      ),
    ).toBe(true);
    expect(
      sameMatrix(
        [
          [3, 1],
          [2, 4],
        ],
        [
          [3, 1],
          [1, 5],
        ],
      ),
    ).toBe(false);
  });

  it('compares other props by identity unless a key has its own comparison', () => {
    const f = () => undefined;
    expect(sameProps({ x: 1, f }, { x: 1, f })).toBe(true);
    expect(sameProps({ x: 1, f }, { x: 1, f: () => undefined })).toBe(false);
    expect(sameProps({ list: [1] }, { list: [1] })).toBe(false);
    expect(sameProps({ list: [1] }, { list: [1] }, { list: sameItems })).toBe(true);
  });
});

describe('memoised parts of the Compare step', () => {
  const result = run('cnn', 1);
  const other = run('light-k2', 1);
  const onOpen = () => undefined;
  const onError = () => undefined;
  const cells = (over: Record<string, unknown> = {}) => ({
    result,
    matrix: [
      [5, 1],
      [2, 7],
    ],
    modelRuns: [result],
    testImages: null,
    threshold: 0.5,
    open: null,
    onOpen,
    onError,
    ...over,
  });

  it('skips a confusion matrix rebuilt with the same counts and runs, not one that changed', () => {
    const same = compareOf<ReturnType<typeof cells>>(ConfusionCells);
    expect(same(cells(), cells())).toBe(true);
    expect(
      same(
        cells(),
        cells({
          matrix: [
            [5, 1],
            [3, 6],
          ],
        }),
      ),
    ).toBe(false);
    expect(same(cells(), cells({ modelRuns: [result, run('cnn', 2)] }))).toBe(false);
    expect(same(cells(), cells({ threshold: 0.6 }))).toBe(false);
    const open = { runId: 'cnn:1', modelId: 'cnn', seed: 1, trueClass: 0, predicted: 1 };
    expect(same(cells(), cells({ open }))).toBe(false);
  });

  it('skips reliability diagrams and the size chart rebuilt with the same content', () => {
    const diagrams = compareOf<{ runs: { modelId: string; label: string; result: ModelResult }[] }>(
      ReliabilityDiagrams,
    );
    const runs = () => [{ modelId: 'cnn', label: 'CNN', result }];
    expect(diagrams({ runs: runs() }, { runs: runs() })).toBe(true);
    expect(
      diagrams({ runs: runs() }, { runs: [...runs(), { modelId: 'light-k2', label: 'k=2', result: other }] }),
    ).toBe(false);
    const chart = compareOf<{
      points: { id: string; label: string; rank: number | null; params: number; auc: number }[];
    }>(ParamsAucChart);
    const points = (auc: number) => [{ id: 'cnn', label: 'CNN', rank: null, params: 1000, auc }];
    expect(chart({ points: points(0.9) }, { points: points(0.9) })).toBe(true);
    expect(chart({ points: points(0.9) }, { points: points(0.91) })).toBe(false);
  });
});
