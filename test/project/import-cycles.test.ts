/**
 * The code reads in one direction: no module imports one that imports it back (directly or through others), and the
 * concept folders of src/lab form no cycle. Type-only and dynamic imports count too: a circle of types still ties
 * two files' meanings together.
 */
import { describe, expect, it } from 'vitest';
import { circles, folderGraph, importGraph, importsBetween, sourceFiles } from '../helpers/import-graph';

const ROOT = process.cwd();
const graph = importGraph(ROOT, sourceFiles(ROOT, ['src', 'bench', 'test']));

describe('the import graph', () => {
  it('reads every module and its imports (the walker finds what it checks)', () => {
    expect(graph.size).toBeGreaterThan(300);
    expect(graph.get('src/lab/experiment/run-experiment.ts')).toContain('src/lab/experiment/schema.ts');
    // Type-only imports are edges too.
    expect(graph.get('src/lab/report/summary.ts')).toContain('src/lab/report/result-record.ts');
  });

  it('finds a circle where there is one, through any number of modules', () => {
    const made = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(circles(made)).toEqual(['a → b → c → a']);
    expect(
      circles(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set<string>()],
        ]),
      ),
    ).toEqual([]);
  });

  it('has no module that imports one importing it back', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('has no cycle between the concept folders of src/lab', () => {
    const folders = folderGraph(graph, 'src/lab');
    expect([...folders.keys()]).toContain('train');
    const found = circles(folders);
    // Name the imports that close each cycle, so the message says which file to move.
    const detail = found.map((c) => {
      const steps = c.split(' → ');
      return [c, ...steps.slice(1).flatMap((to, i) => importsBetween(graph, 'src/lab', steps[i], to))].join('\n  ');
    });
    expect(detail).toEqual([]);
  });
});
