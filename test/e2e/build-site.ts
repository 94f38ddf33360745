/**
 * Global setup of the e2e project: builds the lab site once, into a temporary folder, for every e2e file of the run
 * (each serves it itself: see lab-site.ts). Without Chromium the files skip and nothing is built.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CHROMIUM } from '../helpers/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built lab site (index.html, assets/, sw.js), read-only for the tests; '' when nothing was built. */
    labSiteDir: string;
  }
}

export default function buildSite(project: TestProject): () => void {
  if (!CHROMIUM) {
    project.provide('labSiteDir', '');
    return () => undefined;
  }
  const work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-site-'));
  const site = join(work, 'site');
  // A child process, as `npm run build` runs it, so the build sees no test runner's module graph.
  execFileSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--outDir', site, '--emptyOutDir', '--logLevel', 'error'],
    { stdio: 'inherit' },
  );
  // Whatever a developer put in public/models stays out: "Load from this site" must meet a 404 in the tests.
  rmSync(join(site, 'models'), { recursive: true, force: true });
  project.provide('labSiteDir', site);
  return () => rmSync(work, { recursive: true, force: true });
}
