/**
 * Builds the service worker (src/offline/service-worker.js) into the site as `sw.js`, with the list of every file of
 * the build — the page, scripts, workers, wasm binaries, styles and public/ files — and a version made from their
 * contents. A new build therefore has a new sw.js, which the browser installs, caching the new files and dropping
 * the old ones: a versioned cache that updates cleanly.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Plugin } from 'vite';

const TEMPLATE = new URL('./service-worker.js', import.meta.url);
const MAX_PRECACHED_BYTES = 8 * 1024 * 1024;

/** Files under `dir`, relative to it, with forward slashes. */
function filesUnder(dir: string, root = dir): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, root) : [relative(root, path).split('\\').join('/')];
  });
}

export function precacheServiceWorker(publicDir = 'public'): Plugin {
  return {
    name: 'xray-lab-precache-service-worker',
    apply: 'build',
    // After Vite's own plugins, so index.html, the workers and every asset are in the bundle.
    enforce: 'post',
    generateBundle(_options, bundle) {
      const hash = createHash('sha256');
      const files: string[] = [];
      for (const [name, item] of Object.entries(bundle).sort(([a], [b]) => a.localeCompare(b))) {
        if (name.endsWith('.map')) continue;
        const content = item.type === 'chunk' ? item.code : item.source;
        hash.update(name).update(content);
        // A very large file of an optional feature (onnxruntime-web's 15 MB wasm, for ONNX models in Classify) is kept
        // on first use instead of at install, so a first visit does not download it for nothing.
        if (content.length <= MAX_PRECACHED_BYTES) files.push(name);
      }
      for (const name of filesUnder(publicDir).sort()) {
        files.push(name);
        hash.update(name).update(readFileSync(join(publicDir, name)));
      }
      // The page itself is asked for as the folder ('./'), as a visitor opens it.
      const precache = {
        version: hash.digest('hex').slice(0, 16),
        files: ['./', ...files.filter((f) => f !== 'index.html')],
      };
      const source = readFileSync(TEMPLATE, 'utf8').replace('self.__XRAY_LAB_PRECACHE__', JSON.stringify(precache));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}
