/**
 * The error gallery's selection, from results the page holds: each confusion cell's images are exactly the ones the
 * matrix counts at the threshold, most confident first, a page at a time; and the per-image predictions CSV.
 */
import { describe, expect, it } from 'vitest';
import { cellImages, decisionOf, galleryPage, modelPredictionsCsv, testFileNames } from '../../src/app/lib/gallery';
import { confusionAt, metricsAt } from '../../src/app/lib/threshold-metrics';
import { makeResultRecord } from '../../src/lab/report/result-record';
import type { ModelResult } from '../../src/worker/protocol';
import { evaluationFrom, summary } from '../report/fixtures';

/** A run over `p` = P(PNEUMONIA) per test image, with true classes `labels`. */
function run(modelId: string, seed: number, p: number[], labels: number[]): ModelResult {
  return {
    modelId,
    seed,
    record: makeResultRecord(
      summary({ modelId, seed }),
      evaluationFrom(
        [
          [1, 0],
          [0, 1],
        ],
        1,
        0.1,
      ),
    ),
    classNames: ['NORMAL', 'PNEUMONIA'],
    positiveClass: 1,
    roc: [],
    probabilities: Float32Array.from(p.flatMap((x) => [1 - x, x])),
    labels: Int32Array.from(labels),
  };
}

const labels = [0, 0, 0, 0, 1, 1, 1, 1];
const p = [0.1, 0.55, 0.9, 0.7, 0.2, 0.6, 0.95, 0.45];
const files = labels.map((l, i) => `${l ? 'PNEUMONIA' : 'NORMAL'}/img-${i}.png`);
const cnn = run('cnn', 1, p, labels);

describe('error gallery selection', () => {
  it('puts every test image in the cell the confusion matrix counts it in, at any threshold', () => {
    for (const threshold of [0.3, 0.5, 0.8]) {
      const matrix = confusionAt(cnn, metricsAt(cnn, threshold))!;
      for (const t of [0, 1]) {
        for (const q of [0, 1]) {
          const images = cellImages(cnn, files, { trueClass: t, predicted: q }, threshold);
          expect(images.length).toBe(matrix[t][q]);
          for (const image of images) {
            expect(image.label).toBe(t);
            expect(decisionOf(cnn, image.index, threshold)).toBe(q);
            expect(image.file).toBe(files[image.index]);
          }
        }
      }
    }
  });

  it("sorts a cell by the model's confidence in the class it called, most confident first", () => {
    const normalsCalledPneumonia = cellImages(cnn, files, { trueClass: 0, predicted: 1 }, 0.5);
    expect(normalsCalledPneumonia.map((i) => i.index)).toEqual([2, 3, 1]);
    expect(normalsCalledPneumonia.map((i) => i.score)).toEqual([0.9, 0.7, 0.55].map((x) => Math.fround(x)));
    const pneumoniaCalledNormal = cellImages(cnn, files, { trueClass: 1, predicted: 0 }, 0.5);
    expect(pneumoniaCalledNormal.map((i) => i.index)).toEqual([4, 7]);
    expect(pneumoniaCalledNormal[0].score).toBeCloseTo(0.8, 6);
  });

  it('pages through a large cell without losing or repeating an image', () => {
    const many = Array.from({ length: 30 }, (_, i) => i);
    const pages = [0, 1, 2].map((k) => galleryPage(many, k, 12));
    expect(pages.map((g) => g.items.length)).toEqual([12, 12, 6]);
    expect(pages.flatMap((g) => g.items)).toEqual(many);
    expect(galleryPage(many, 9, 12)).toMatchObject({ page: 2, pages: 3 });
    expect(galleryPage([], 0)).toMatchObject({ items: [], pages: 1, page: 0 });
  });

  it("names test images by the run's list, or by position when the page has none", () => {
    expect(testFileNames(cnn, { files })).toBe(files);
    expect(testFileNames(cnn, null)[7]).toBe('test image 8');
  });
});

describe('per-image predictions CSV of a model', () => {
  it('writes one row per image and seed, decided at the threshold shown', () => {
    const seed2 = run(
      'cnn',
      2,
      p.map((x) => 1 - x),
      labels,
    );
    const csv = modelPredictionsCsv([cnn, seed2], { files }, 0.5).trim().split('\n');
    expect(csv[0]).toBe('file,true_class,score_NORMAL,score_PNEUMONIA,predicted_class,model,seed');
    expect(csv).toHaveLength(1 + 16);
    expect(csv[3]).toBe('NORMAL/img-2.png,NORMAL,0.100000,0.900000,PNEUMONIA,cnn,1');
    expect(csv[11]).toBe('NORMAL/img-2.png,NORMAL,0.900000,0.100000,NORMAL,cnn,2');
    // At 0.96 nothing is called PNEUMONIA.
    expect(
      modelPredictionsCsv([cnn], { files }, 0.96)
        .split('\n')
        .filter((l) => l.includes(',PNEUMONIA,cnn')),
    ).toEqual([]);
    expect(() => modelPredictionsCsv([run('cnn', 3, [], [])], { files }, 0.5)).toThrow(/no test predictions/);
  });
});
