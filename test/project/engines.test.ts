/**
 * `npm install` warns EBADENGINE for every locked package whose `engines.node` excludes the running Node, a warning
 * a user cannot act on. nsfwjs 4.4.0 (a test fixture) declared exactly node 22.13.0; the lock pins 4.3.0, whose
 * InceptionV3 files are byte-identical and which declares no engines.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// npm's own range semantics (semver is in the tree through several packages).
const semver = createRequire(import.meta.url)('semver') as { satisfies: (version: string, range: string) => boolean };

interface Locked {
  version?: string;
  engines?: { node?: string } | string[];
}
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, Locked> };

/** Locked packages whose engines.node refuses `version`, as "path (range)". */
function refusing(version: string): string[] {
  return Object.entries(lock.packages).flatMap(([path, p]) => {
    const range = p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined;
    return range && !semver.satisfies(version, range) ? [`${path || 'xray-lab'} (${range})`] : [];
  });
}

describe('package-lock.json', () => {
  it('holds no package whose engines refuse the Node running the tests', () => {
    expect(refusing(process.version)).toEqual([]);
  });

  it('holds no package that refuses Node 20.19, the oldest Node 20 the build tools (vite) accept', () => {
    expect(refusing('20.19.0')).toEqual([]);
    // The check can fail: the nsfwjs that warned would be named.
    expect(semver.satisfies('20.19.0', '22.13.0')).toBe(false);
  });

  it('pins the nsfwjs test fixture to 4.3.0', () => {
    expect(lock.packages['node_modules/nsfwjs'].version).toBe('4.3.0');
  });
});
