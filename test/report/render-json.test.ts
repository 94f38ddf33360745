import { describe, expect, it } from 'vitest';
import { parseResultsJson, renderResultsJson } from '../../src/lab/report/render-json';
import { conv2d, failedInception, lightK4 } from './fixtures';

const generatedAt = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));

describe('renderResultsJson', () => {
  const meta = { dataset: { test: 624, perClass: Int32Array.from([234, 390]) }, settings: { epochs: 20, lr: 0.001 } };
  const settings = { models: ['light-k4', 'conv2d'], seeds: [1] };
  const text = renderResultsJson([lightK4, conv2d, failedInception], meta, settings, generatedAt);

  it('writes the time stamp, the meta and every record, pretty-printed', () => {
    expect(text.startsWith('{\n  "generatedAt": "2025-06-01T12:00:00.000Z",\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    const data = JSON.parse(text);
    expect(data.meta.settings).toEqual({ epochs: 20, lr: 0.001 });
    // A typed array is written as a list, not as {"0": 234, "1": 390}.
    expect(data.meta.dataset.perClass).toEqual([234, 390]);
    expect(data.results.map((r: { modelId: string }) => r.modelId)).toEqual(['light-k4', 'conv2d', 'inception']);
    expect(data.results[0].test.tp).toBe(363);
    expect(data.results[0].test.auc).toBe(0.9412);
    expect(data.results[1].test.confusion).toEqual([
      [120, 114],
      [6, 384],
    ]);
    expect(data.results[2]).toMatchObject({ status: 'failed', error: 'out of memory', test: null, bytes: null });
    expect(data.settings).toEqual(settings);
  });

  it('summarises each model over its runs', () => {
    const data = JSON.parse(text);
    expect(data.summary.map((m: { modelId: string }) => m.modelId)).toEqual(['light-k4', 'conv2d', 'inception']);
    expect(data.summary[0]).toMatchObject({
      seeds: [lightK4.seed],
      okRuns: 1,
      accuracy: { n: 1, mean: lightK4.test!.accuracy, sd: null },
    });
    expect(data.summary[2]).toMatchObject({ okRuns: 0, accuracy: null, degenerateRuns: [] });
  });

  it('writes non-finite numbers as null', () => {
    const data = JSON.parse(
      renderResultsJson([], { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: 1.5 }, null, generatedAt),
    );
    expect(data.meta).toEqual({ a: null, b: null, c: 1.5 });
    expect(data.results).toEqual([]);
  });

  it('reads back what it wrote', () => {
    const file = parseResultsJson(text);
    expect(file.generatedAt).toBe('2025-06-01T12:00:00.000Z');
    expect(file.results).toEqual([lightK4, conv2d, failedInception]);
    expect(file.settings).toEqual(settings);
    expect(file.summary).toEqual(JSON.parse(text).summary);
  });
});

describe('parseResultsJson', () => {
  it('rejects files that are not results files', () => {
    expect(() => parseResultsJson('not json')).toThrow(/not valid JSON/);
    expect(() => parseResultsJson('[1]')).toThrow(/JSON object/);
    expect(() => parseResultsJson('{"results": []}')).toThrow(/generatedAt/);
    expect(() => parseResultsJson('{"generatedAt": "x"}')).toThrow(/results list/);
    expect(() => parseResultsJson('{"generatedAt": "x", "results": [{"label": "a", "status": "ok"}]}')).toThrow(
      /result 0/,
    );
    expect(() =>
      parseResultsJson('{"generatedAt": "x", "results": [{"modelId": "m", "label": "a", "status": "done"}]}'),
    ).toThrow(/unknown status done/);
  });

  it('defaults a missing meta to null', () => {
    expect(parseResultsJson('{"generatedAt": "x", "results": []}')).toEqual({
      generatedAt: 'x',
      meta: null,
      settings: null,
      results: [],
      summary: [],
      comparisons: [],
      comparisonsOverSeeds: [],
    });
  });

  it('keeps the comparisons as written (the file has no probabilities to test again) and refuses malformed ones', () => {
    const comparison = {
      seed: 1,
      a: 'light-k4',
      b: 'conv2d',
      labelA: 'LightLayers k=4',
      labelB: 'Conv2D',
      images: 624,
      positiveClass: 'PNEUMONIA',
      auc: {
        a: 0.931,
        b: 0.95,
        difference: -0.019,
        ci95: [-0.035, -0.003] as [number, number],
        z: -2.31,
        p: 0.021,
        se: 0.008,
        detectable: 0.023,
      },
      accuracy: { a: 0.755, b: 0.76, onlyA: 31, onlyB: 34, p: 0.8, pHolm: 0.8 },
      pHolm: 0.042,
    };
    const file = parseResultsJson(renderResultsJson([lightK4, conv2d], {}, null, generatedAt, [comparison]));
    expect(file.comparisons).toEqual([comparison]);
    expect(file.comparisonsOverSeeds).toMatchObject([
      { a: 'light-k4', b: 'conv2d', seeds: [1], auc: { n: 1, winsB: 1 }, seedsSignificant: { a: [], b: [1] } },
    ]);
    expect(() => parseResultsJson('{"generatedAt": "x", "results": [], "comparisons": [{"a": "x"}]}')).toThrow(
      /comparisons entry/,
    );
  });
});
