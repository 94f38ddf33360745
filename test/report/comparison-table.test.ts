import { describe, expect, it } from 'vitest';
import { renderComparisonTable } from '../../src/lab/report/comparison-table';
import { conv2d, failedInception, lightK4 } from './fixtures';

describe('renderComparisonTable', () => {
  it('pads every column to its widest cell', () => {
    // Widths: Model 29 ("InceptionV3 transfer (failed)"), Params 10 ("21,806,882"), then the headers.
    const expected = [
      'Model                              Params  Trainable  Size  Accuracy  Sensitivity  Specificity  AUC  F1  Train time  s/epoch  ms/image',
      '-----------------------------  ----------  ---------  ----  --------  -----------  -----------  ---  --  ----------  -------  --------',
      'InceptionV3 transfer (failed)  21,806,882      4,098     —         —            —            —    —   —  1 min 00 s        —         —',
      '',
    ].join('\n');
    expect(renderComparisonTable([failedInception])).toBe(expected);
  });

  it('right-aligns numbers under their headers across rows', () => {
    const lines = renderComparisonTable([lightK4, conv2d, failedInception]).trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    // The last column is right-aligned, so every line ends at the same column.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    const end = (line: string, text: string) => line.indexOf(text) + text.length;
    expect(end(lines[2], '0.870')).toBe(end(lines[0], 'Accuracy'));
    expect(end(lines[3], '0.808')).toBe(end(lines[0], 'Accuracy'));
    expect(end(lines[2], '0.941 (0.921–0.960)')).toBe(end(lines[0], 'AUC (95% CI)'));
    expect(end(lines[3], '0.930')).toBe(end(lines[0], 'AUC (95% CI)'));
    expect(lines[2].startsWith('LightLayers k=4 ')).toBe(true);
  });
});
