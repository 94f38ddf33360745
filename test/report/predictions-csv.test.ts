import { describe, expect, it } from 'vitest';
import {
  csvField,
  predictedClassAt,
  renderPredictionsCsv,
  type RunPredictions,
} from '../../src/lab/report/predictions-csv';

const CLASSES = ['NORMAL', 'PNEUMONIA'];

const run = (overrides: Partial<RunPredictions> = {}): RunPredictions => ({
  modelId: 'cnn',
  seed: 1,
  files: ['test/NORMAL/IM-0001-0001.jpeg', 'test/PNEUMONIA/person1_virus_6.jpeg', 'test/NORMAL/IM-0002-0001.jpeg'],
  labels: Int32Array.from([0, 1, 0]),
  probabilities: Float32Array.from([0.9, 0.1, 0.35, 0.65, 0.45, 0.55]),
  ...overrides,
});

describe('renderPredictionsCsv', () => {
  it('writes a header and one row per image: file, true class, scores, decision at the threshold, model, seed', () => {
    const csv = renderPredictionsCsv([run()], { classNames: CLASSES, positiveClass: 1, threshold: 0.6 });
    expect(csv.split('\n')).toEqual([
      'file,true_class,score_NORMAL,score_PNEUMONIA,predicted_class,model,seed',
      'test/NORMAL/IM-0001-0001.jpeg,NORMAL,0.900000,0.100000,NORMAL,cnn,1',
      'test/PNEUMONIA/person1_virus_6.jpeg,PNEUMONIA,0.350000,0.650000,PNEUMONIA,cnn,1',
      // 0.55 is the more probable class but below the threshold 0.6: NORMAL, as the metrics count it.
      'test/NORMAL/IM-0002-0001.jpeg,NORMAL,0.450000,0.550000,NORMAL,cnn,1',
      '',
    ]);
  });

  it('puts several runs (models × seeds) in one file and moves the decision with the threshold', () => {
    const csv = renderPredictionsCsv([run(), run({ modelId: 'light-k2', seed: 7 })], {
      classNames: CLASSES,
      positiveClass: 1,
      digits: 2,
    });
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => `${r[5]}:${r[6]}`)).toEqual([
      'cnn:1',
      'cnn:1',
      'cnn:1',
      'light-k2:7',
      'light-k2:7',
      'light-k2:7',
    ]);
    expect(rows[2]).toEqual(['test/NORMAL/IM-0002-0001.jpeg', 'NORMAL', '0.45', '0.55', 'PNEUMONIA', 'cnn', '1']);
  });

  it('quotes file names with commas, quotes or line breaks as RFC 4180 says', () => {
    expect(csvField('plain.png')).toBe('plain.png');
    expect(csvField('a,b.png')).toBe('"a,b.png"');
    expect(csvField('say "hi".png')).toBe('"say ""hi"".png"');
    expect(csvField('two\nlines.png')).toBe('"two\nlines.png"');
    const csv = renderPredictionsCsv([run({ files: ['x,1.png', 'y.png', 'z.png'] })], {
      classNames: CLASSES,
      positiveClass: 1,
    });
    expect(csv.split('\n')[1].startsWith('"x,1.png",NORMAL,')).toBe(true);
  });

  it('takes the positive class by index and, below the threshold, the most probable other class', () => {
    expect(predictedClassAt([0.2, 0.5, 0.3], 2, 0.25)).toBe(2);
    expect(predictedClassAt([0.2, 0.5, 0.3], 2, 0.4)).toBe(1);
    expect(predictedClassAt([0.6, 0.4], 0, 0.7)).toBe(1);
    const three = renderPredictionsCsv([run({ files: ['a.png'], labels: [2], probabilities: [0.2, 0.5, 0.3] })], {
      classNames: ['NORMAL', 'BACTERIA', 'VIRUS'],
      positiveClass: 2,
      threshold: 0.4,
      digits: 1,
    });
    expect(three.trim().split('\n')).toEqual([
      'file,true_class,score_NORMAL,score_BACTERIA,score_VIRUS,predicted_class,model,seed',
      'a.png,VIRUS,0.2,0.5,0.3,BACTERIA,cnn,1',
    ]);
  });

  it('refuses arrays that do not fit together, naming the run, and a bad class or threshold', () => {
    expect(() => renderPredictionsCsv([run({ labels: [0, 1] })], { classNames: CLASSES, positiveClass: 1 })).toThrow(
      /cnn \(seed 1\): 3 files, 2 labels and 6 probabilities do not fit 2 classes/,
    );
    expect(() => renderPredictionsCsv([run({ labels: [0, 1, 5] })], { classNames: CLASSES, positiveClass: 1 })).toThrow(
      /IM-0002-0001\.jpeg has class 5, outside 0\.\.1/,
    );
    expect(() => renderPredictionsCsv([run()], { classNames: CLASSES, positiveClass: 2 })).toThrow(
      /positive class 2 is outside 0\.\.1/,
    );
    expect(() => renderPredictionsCsv([run()], { classNames: CLASSES, positiveClass: 1, threshold: 1.5 })).toThrow(
      /threshold must be between 0 and 1/,
    );
  });

  it('writes the header alone for no runs', () => {
    expect(renderPredictionsCsv([], { classNames: CLASSES, positiveClass: 1 })).toBe(
      'file,true_class,score_NORMAL,score_PNEUMONIA,predicted_class,model,seed\n',
    );
  });
});
