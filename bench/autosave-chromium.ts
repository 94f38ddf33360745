/**
 * Autosave's cost in the real thing: the built page in Debian's Chromium trains on the generated demo set at the
 * requested size, its worker checkpointing after every epoch into Chromium's own (disk-backed) IndexedDB, and each
 * progress row reports what the checkpoints held training up — the median ms per epoch and its share of the median
 * epoch (the 'autosave-cost' events; the write itself runs behind the next epoch). The share on this small epoch is
 * an upper bound for a real one: the checkpoint's cost depends on the model, not on the number of images.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, launchChromium, newLabContext, waitForRunEnd } from '../test/e2e/browser';
import { serveStatic } from '../test/helpers/static-server';

export interface ChromiumAutosaveRow {
  model: string;
  size: number;
  env: 'chromium';
  /** Median hold-up per epoch, and its share of the median epoch (training + validation). */
  checkpointMs: number;
  overheadSubset: number;
  checkpointBytes: number;
  epochs: number;
  images: number;
}

export async function chromiumAutosave(o: {
  size: number;
  models: string[];
  perClass: number;
  epochs: number;
}): Promise<ChromiumAutosaveRow[]> {
  if (!CHROMIUM)
    throw new Error("no Chromium here: install Debian's chromium (apt-get install chromium) for --env chromium");
  const work = mkdtempSync(join(tmpdir(), 'xray-lab-bench-autosave-'));
  const site = join(work, 'site');
  execFileSync(process.execPath, [
    'node_modules/vite/bin/vite.js',
    'build',
    '--outDir',
    site,
    '--emptyOutDir',
    '--logLevel',
    'error',
  ]);
  const server = await serveStatic(site);
  const browser = await launchChromium();
  try {
    const page = await (await newLabContext(browser)).newPage();
    page.on('dialog', (d) => void d.accept());
    const hash = `models=${o.models.join(',')}&size=${o.size}&channels=1&epochs=${o.epochs}&batch=16&seeds=1&bootstrap=0&backend=wasm&demo-per-class=${o.perClass}`;
    await page.goto(`${server.url}#${hash}`);
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 120_000 });
    await page.click('[data-testid=demo-dataset]');
    await page.waitForSelector(`[data-testid=dataset-summary][data-count="${2 * o.perClass}"]`, { timeout: 300_000 });
    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page, 1_800_000);
    const rows: ChromiumAutosaveRow[] = [];
    for (const model of o.models) {
      const cost = await page.waitForSelector(`[data-testid=autosave-cost-${model}]`, { timeout: 30_000 });
      const text = (await cost.textContent()) ?? '';
      const mb = /([\d.]+) MB\)/.exec(text);
      rows.push({
        model,
        size: o.size,
        env: 'chromium',
        checkpointMs: Number(await cost.getAttribute('data-ms')),
        overheadSubset: Number(await cost.getAttribute('data-share')),
        checkpointBytes: mb ? Math.round(Number(mb[1]) * 1e6) : 0,
        epochs: o.epochs,
        images: 2 * o.perClass,
      });
    }
    return rows;
  } finally {
    await browser.close();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}
