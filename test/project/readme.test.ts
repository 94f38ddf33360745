/**
 * What a newcomer reads must hold on their machine: README commands that name `../shared` (which exists only beside
 * this repository) are marked for development, the quick start names the page's real buttons, and the reports cite
 * the study itself rather than a file a user does not have.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { renderMarkdownReport } from '../../src/lab/report/render-markdown';
import { REFERENCE_RESULTS } from '../../src/lab/report/reference-results';

const readme = readFileSync('README.md', 'utf8');

/** Every line inside a ``` block, with the paragraph before the block. */
function codeLines(text: string): { line: string; before: string }[] {
  const out: { line: string; before: string }[] = [];
  const blocks = text.split(/^```.*$/m);
  for (let i = 1; i < blocks.length; i += 2) {
    const before =
      blocks[i - 1]
        .trim()
        .split(/\n\s*\n/)
        .at(-1) ?? '';
    for (const line of blocks[i].split('\n')) if (line.trim()) out.push({ line, before });
  }
  return out;
}

describe('README', () => {
  it('runs its commands on paths a user has: ../shared only in lines marked for development', () => {
    const commands = codeLines(readme).filter((c) => /\b(npx xray-lab|xray-lab|npm run)\b/.test(c.line));
    expect(commands.length).toBeGreaterThan(10);
    const shared = commands.filter((c) => c.line.includes('../shared') && !/development/i.test(c.before));
    expect(shared.map((c) => c.line)).toEqual([]);
    // Prose that sends a user to ../shared says it is for development.
    for (const paragraph of readme.split(/\n\s*\n/).filter((p) => p.includes('../shared') && !p.startsWith('```'))) {
      expect(paragraph).toMatch(/for development/i);
    }
  });

  it('names the buttons the page shows for its defaults', () => {
    const models = defaultExperiment().models.length;
    expect(readme).toContain('"Use demo dataset"');
    expect(readme).toContain(`"Train ${models} models"`);
    const button = readFileSync('src/app/components/TrainSection.tsx', 'utf8');
    expect(button).toContain('`${selected.length} models`');
    expect(readFileSync('src/app/components/DatasetPicker.tsx', 'utf8')).toMatch(/>\s*Use demo dataset\s*</);
  });
});

describe('reports', () => {
  it('cite the seed study by its public source, not a development file', () => {
    const report = renderMarkdownReport([], {}, { references: true });
    expect(report).not.toContain('../shared');
    expect(report).toContain('github.com/xavierbarbier/x_ray_lightlayers');
    for (const r of REFERENCE_RESULTS) expect(r.source).not.toMatch(/shared|STUDY\.md/);
  });
});
