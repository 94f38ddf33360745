/**
 * `npm run bench -- page-smoothness [--rates 1,4] [--per-class N] [--json]`: the built page in Debian's Chromium trains
 * the demo with the page's defaults while synthetic key presses probe its main thread, with the CPU at full speed and
 * throttled (4× stands in for a school Chromebook). Prints, per rate, the idle baseline and the training window:
 * input delay p50/p95/max, the longest main-thread task, long tasks and the busy share. Writes bench/results/.
 * `--trace` also records a Chromium performance trace of each training window and prints its longest tasks with the
 * functions that took them (bench/page-trace.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, launchChromium, newLabContext } from '../test/e2e/browser';
import {
  measureSmoothness,
  recordInput,
  runEnded,
  throttleCpu,
  warmHarness,
  type Smoothness,
} from '../test/helpers/page-smoothness';
import { serveStatic } from '../test/helpers/static-server';
import { longTaskBreakdown, TRACE_CATEGORIES, type LongTaskBreakdown, type SourceOf } from './page-trace';

function option(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
}

/** Names a function of the built site by its source file and line, through the build's source maps. */
function sourceMaps(site: string): SourceOf {
  const maps = new Map<string, SourceMap | null>();
  return (url, line, column) => {
    // Served from a sub-path: the file is the one of that name in the build's assets.
    const file = join(site, 'assets', new URL(url, 'http://x/').pathname.replace(/^.*\//, ''));
    if (!maps.has(file))
      maps.set(
        file,
        existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as never) : null,
      );
    const entry = maps.get(file)?.findEntry(line, column);
    if (!entry || !('originalSource' in entry) || !entry.originalSource) return null;
    return `${entry.originalSource.replace(/^.*?(src|node_modules)\//, '$1/')}:${entry.originalLine + 1}`;
  };
}

const row = (label: string, s: Smoothness) =>
  `${label.padEnd(22)} ${s.inputDelayP50.toFixed(1).padStart(7)} ${s.inputDelayP95.toFixed(1).padStart(7)} ` +
  `${s.inputDelayMax.toFixed(1).padStart(7)} ${s.longestTask.toFixed(0).padStart(8)} ${String(s.longTasks).padStart(6)} ${(s.busyShare * 100).toFixed(1).padStart(6)}% ${String(s.probes).padStart(6)} ${(s.windowMs / 1000).toFixed(1).padStart(7)}`;

export async function runPageSmoothnessBench(argv: string[]): Promise<number> {
  if (!CHROMIUM) {
    process.stderr.write("page-smoothness needs Debian's chromium (apt-get install chromium)\n");
    return 2;
  }
  const rates = option(argv, 'rates', '1,4').split(',').map(Number);
  const perClass = option(argv, 'per-class', '');
  const trace = argv.includes('--trace');
  const work = mkdtempSync(join(tmpdir(), 'xray-lab-bench-smooth-'));
  execFileSync(process.execPath, [
    'node_modules/vite/bin/vite.js',
    'build',
    '--outDir',
    join(work, 'site'),
    '--emptyOutDir',
    '--logLevel',
    'error',
    // Source maps only name functions in a trace; the page runs the same code either way.
    ...(trace ? ['--sourcemap'] : []),
  ]);
  const server = await serveStatic(join(work, 'site'));
  const browser = await launchChromium();
  const results: {
    rate: number;
    idle: Smoothness;
    training: Smoothness;
    trainMs: number;
    longestTasks?: LongTaskBreakdown[];
  }[] = [];
  try {
    for (const rate of rates) {
      const context = await newLabContext(browser);
      const page = await context.newPage();
      page.on('dialog', (d) => void d.accept());
      await recordInput(page);
      await page.goto(`${server.url}${perClass ? `#demo-per-class=${perClass}` : ''}`);
      await page.waitForSelector('[data-testid=backend-indicator][data-backend]', { timeout: 120_000 });
      await page.click('[data-testid=demo-dataset]');
      await page.waitForSelector('[data-testid=dataset-summary][data-count]', { timeout: 300_000 });
      await warmHarness(page);
      const cdp = await throttleCpu(page, rate);
      const idle = await measureSmoothness(page, cdp, { durationMs: 5000 });
      // Outside the work folder, which is removed: a trace can be opened in DevTools afterwards.
      const tracePath = join(tmpdir(), `xray-lab-page-trace-${rate}x.json`);
      if (trace) await browser.startTracing(page, { path: tracePath, categories: TRACE_CATEGORIES });
      await page.click('[data-testid=train-button]');
      const start = Date.now();
      const training = await measureSmoothness(page, cdp, { until: runEnded(page, 1_800_000) });
      const trainMs = Date.now() - start;
      let longestTasks: LongTaskBreakdown[] | undefined;
      if (trace) {
        await browser.stopTracing();
        longestTasks = longTaskBreakdown(
          JSON.parse(readFileSync(tracePath, 'utf8')),
          50,
          sourceMaps(join(work, 'site')),
        ).slice(0, 12);
        process.stderr.write(`trace: ${tracePath}\n`);
      }
      results.push({ rate, idle, training, trainMs, ...(longestTasks ? { longestTasks } : {}) });
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
  const header = `${'window'.padEnd(22)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'longest'.padStart(8)} ${'>50ms'.padStart(6)} ${'busy'.padStart(7)} ${'probes'.padStart(6)} ${'window s'.padStart(7)}`;
  const lines = [
    header,
    ...results.flatMap((r) => [row(`${r.rate}× CPU, idle`, r.idle), row(`${r.rate}× CPU, training`, r.training)]),
  ];
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
  else
    process.stdout.write(
      `Input delay of synthetic key presses (every 250 ms) and main-thread long tasks, default demo:\n${lines.join('\n')}\n`,
    );
  for (const r of results.filter((r) => r.longestTasks)) {
    process.stdout.write(
      `\nLongest main-thread tasks while training at ${r.rate}× (wall ms, CPU ms of the main thread, self time in the task):\n`,
    );
    for (const t of r.longestTasks!) {
      process.stdout.write(
        `${t.ms.toFixed(0).padStart(6)} ms ${(t.cpuMs == null ? '–' : t.cpuMs.toFixed(0)).padStart(5)} cpu  ${t.top.map((f) => `${f.fn} ${f.ms.toFixed(0)}`).join(' · ')}\n`,
      );
    }
  }
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `page-smoothness-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ results }, null, 2)}\n`);
  process.stderr.write(`wrote ${file}\n`);
  return 0;
}
