/**
 * The repository's import graph, read with the TypeScript compiler's own import scanner (static, `import type`,
 * re-exports and dynamic `import()` alike): which module imports which, the circles in it, and the same for the
 * concept folders under src/lab.
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(ts|tsx|js|mjs)$/;

/** Folders that hold build output or packages, not sources (bench/.build, dist, node_modules). */
const NOT_SOURCES = /^(\..*|dist|node_modules)$/;

/** Every source file under `dirs` (relative to `root`), as root-relative paths with `/`. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (!NOT_SOURCES.test(name)) walk(path);
      } else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(relative(root, path).split('\\').join('/'));
    }
  };
  for (const d of dirs) if (existsSync(join(root, d))) walk(join(root, d));
  return out.sort();
}

/** The file a relative specifier names (Vite's `?worker`/`?url` suffixes dropped), or null for a package. */
function resolveSpecifier(root: string, from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const bare = resolve(root, dirname(from), specifier.replace(/\?.*$/, ''));
  const candidates = [
    bare,
    bare.replace(/\.js$/, '.ts'),
    bare.replace(/\.js$/, '.tsx'),
    `${bare}.ts`,
    `${bare}.tsx`,
    `${bare}.js`,
    join(bare, 'index.ts'),
    join(bare, 'index.tsx'),
  ];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return hit ? relative(root, hit).split('\\').join('/') : null;
}

/** Module → the repository modules it imports. */
export function importGraph(root: string, files: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      const target = resolveSpecifier(root, file, fileName);
      if (target && target !== file) targets.add(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/**
 * The circles of a graph: one per strongly connected component of more than one node (Tarjan), each written as a
 * path that starts and ends on the same node, e.g. `a → b → a`.
 */
export function circles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((c) => describeCircle(graph, new Set(c)));
}

/** One shortest circle through the component's first node (breadth-first inside the component). */
function describeCircle(graph: ReadonlyMap<string, ReadonlySet<string>>, members: Set<string>): string {
  const start = [...members].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start].join(' → ');
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...members].join(' ↔ ');
}

/**
 * The graph between the concept folders of `base` (its direct subfolders): folder A → B when a module in A imports
 * one in B. Files directly in `base` belong to no folder.
 */
export function folderGraph(graph: ReadonlyMap<string, ReadonlySet<string>>, base: string): Map<string, Set<string>> {
  const folderOf = (file: string) => {
    if (!file.startsWith(`${base}/`)) return null;
    const parts = file.slice(base.length + 1).split('/');
    return parts.length > 1 ? parts[0] : null;
  };
  const folders = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const a = folderOf(from);
    if (a === null) continue;
    if (!folders.has(a)) folders.set(a, new Set());
    for (const to of targets) {
      const b = folderOf(to);
      if (b !== null && b !== a) folders.get(a)!.add(b);
    }
  }
  return folders;
}

/** The imports from folder `from` into folder `to` of `base`, as `file → file` lines (to say where a cycle runs). */
export function importsBetween(
  graph: ReadonlyMap<string, ReadonlySet<string>>,
  base: string,
  from: string,
  to: string,
): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith(`${base}/${from}/`)) continue;
    for (const t of targets) if (t.startsWith(`${base}/${to}/`)) out.push(`${file} → ${t}`);
  }
  return out;
}
