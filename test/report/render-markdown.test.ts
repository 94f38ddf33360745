import { describe, expect, it } from 'vitest';
import { renderMarkdownReport, renderMarkdownTable } from '../../src/lab/report/render-markdown';
import { conv2d, failedInception, lightK4 } from './fixtures';

const meta = {
  title: 'Study re-run',
  dataset: { train: 5216, classes: ['NORMAL', 'PNEUMONIA'] },
  settings: { epochs: 20, learningRate: 0.001, backend: 'webgl' },
};
const generatedAt = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));

describe('renderMarkdownReport', () => {
  const report = renderMarkdownReport([lightK4, conv2d, failedInception], meta, { generatedAt });
  const lines = report.split('\n');

  it('starts with the title, the time stamp and the settings as dotted paths', () => {
    expect(lines[0]).toBe('# Study re-run');
    expect(report).toContain('Generated 2025-01-02T03:04:05.000Z.');
    expect(lines).toContain('- dataset.train: 5216');
    expect(lines).toContain('- dataset.classes: NORMAL, PNEUMONIA');
    expect(lines).toContain('- settings.learningRate: 0.001');
    expect(report).not.toContain('- title:');
  });

  it('writes one comparison row per model with consistently formatted numbers', () => {
    // 543/624 = 0.8702, 363/390 = 0.9308, 180/234 = 0.7692, F1 726/807 = 0.8996; 775,946 B = 757.76 KiB;
    // 1,344 s = 22 min 24 s; 67,200 ms/epoch = 67.2 s.
    expect(lines).toContain(
      '| LightLayers k=4 | 8,294 | 7,958 | 757.8 KiB | 0.870 | 0.931 | 0.769 | 0.941 (0.921–0.960) | 0.900 | 22 min 24 s | 67.2 | 3.46 |',
    );
    // 504/624 = 0.8077, 384/390 = 0.9846, 120/234 = 0.5128, F1 768/888 = 0.8649; 1,363,149 B = 1.30 MiB.
    expect(lines).toContain(
      '| Conv2D | 31,074 | 30,738 | 1.30 MiB | 0.808 | 0.985 | 0.513 | 0.930 | 0.865 | 18 min 28 s | 55.4 | 2.10 |',
    );
    expect(lines).toContain(
      '| InceptionV3 transfer (failed) | 21,806,882 | 4,098 | — | — | — | — | — | — | 1 min 00 s | — | — |',
    );
    expect(report).toContain(
      '| Model | Params | Trainable | Size | Accuracy | Sensitivity | Specificity | AUC (95% CI) | F1 |',
    );
  });

  it('says which class is positive and why a run is missing', () => {
    expect(report).toContain('treat **PNEUMONIA** as positive, at threshold 0.500');
    expect(report).toContain('Test set: 624 images.');
    expect(lines).toContain('- **InceptionV3 transfer** failed: out of memory');
  });

  it('adds a confusion matrix for each evaluated model', () => {
    const section = report.slice(report.indexOf('### LightLayers k=4'), report.indexOf('### Conv2D'));
    expect(section).toContain('| true \\ predicted | NORMAL | PNEUMONIA |');
    expect(section).toContain('| **NORMAL** | 180 | 54 |');
    expect(section).toContain('| **PNEUMONIA** | 27 | 363 |');
    // precision 363/417 = 0.8705, NPV 180/207 = 0.8696
    expect(section).toContain('TP 363, FP 54, TN 180, FN 27; precision 0.871, NPV 0.870; accuracy 95% CI 0.843–0.896.');
    expect(report).toContain('| **NORMAL** | 120 | 114 |');
    expect(report).not.toContain('### InceptionV3');
  });

  it("names a transfer model's backbone weights and where they came from", () => {
    const transfer = {
      ...conv2d,
      label: 'MobileNetV2 transfer',
      backbone: {
        network: 'MobileNetV2 α 0.35',
        weightsId: '0123abcd0123abcd',
        origin: 'mobilenet/model.json',
        pixelRange: '-1,1',
      },
    };
    const text = renderMarkdownReport([transfer], {}, { generatedAt });
    expect(text).toContain(
      'Frozen backbone: MobileNetV2 α 0.35, weights 0123abcd0123abcd from mobilenet/model.json, pixels in [-1,1].',
    );
    expect(renderMarkdownReport([conv2d], {}, { generatedAt })).not.toContain('Frozen backbone');
  });

  it('marks cancelled runs, escapes pipes and uses a default title', () => {
    const cancelled = { ...conv2d, label: 'Conv2D | small', status: 'cancelled' as const };
    const text = renderMarkdownReport([cancelled], { note: 'line one\nline two' }, { generatedAt });
    expect(text.startsWith('# X-Ray Lab report\n')).toBe(true);
    expect(text).toContain('| Conv2D \\| small (cancelled) | 31,074 |');
    expect(text).toContain('- **Conv2D | small** cancelled.');
    expect(text).toContain('- note: line one line two');
    expect(text).toContain('### Conv2D | small (cancelled)');
  });

  it('drops the CI from the AUC header when no model has one', () => {
    expect(renderMarkdownTable([conv2d]).split('\n')[0]).toContain('| AUC | F1 |');
  });
});
