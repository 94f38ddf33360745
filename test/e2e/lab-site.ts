/**
 * The built lab site for a browser test. The e2e project builds it once per run (build-site.ts, its global setup);
 * each test file serves that build on its own port, under a sub-path, so the files never share a server or an
 * origin's storage. The pattern for a new e2e file:
 *
 *   let site: StaticSite;
 *   beforeAll(async () => { site = await serveLabSite(); page = await openLabPage(browser, site.url + HASH); });
 *   afterAll(async () => { await site?.close(); });
 *
 * The build is shared: never write into it; serve extra files with `site.setOverlay`.
 */
import { inject } from 'vitest';
import { serveStatic, type StaticSite } from '../helpers/static-server';

export type { StaticSite } from '../helpers/static-server';

/** Serves the run's build of the lab site; `headers` go on every file (e.g. ISOLATION_HEADERS). */
export function serveLabSite(headers: Record<string, string> = {}): Promise<StaticSite> {
  const dir = inject('labSiteDir');
  if (!dir) throw new Error('no lab site was built: run the e2e tests as the e2e project (vitest run --project e2e)');
  return serveStatic(dir, undefined, headers);
}
