/**
 * Node only: a feature cache in a folder (the CLI's `--feature-cache DIR`), so a second `xray-lab compare` over the
 * same images, size and weights skips the backbone pass. One file per entry: a length-prefixed JSON header (the
 * full key, dim, count, class names), then the labels (int32) and the features (float32), little-endian. Written to
 * a temporary name and renamed, so an interrupted run never leaves a truncated entry under a valid name.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeatureSet } from '../../train/feature-set';
import type { FeatureCache } from '../feature-cache';
import { Fingerprint } from '../../util/fingerprint';

interface Header {
  key: string;
  dim: number;
  count: number;
  classNames: string[];
  shape?: number[];
}

const SUFFIX = '.features';

export class FileFeatureCache implements FeatureCache {
  constructor(private readonly dir: string) {}

  private fileOf(key: string): string {
    return join(this.dir, new Fingerprint().update(key).digest() + SUFFIX);
  }

  async get(key: string): Promise<FeatureSet | null> {
    const bytes = await readFile(this.fileOf(key)).catch(() => null);
    if (!bytes) return null;
    const parsed = decode(new Uint8Array(bytes));
    // A different key under the same file name (a hash collision) or a damaged file is a miss.
    return parsed && parsed.header.key === key ? parsed.set : null;
  }

  async put(key: string, set: FeatureSet): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const fields: Header = { key, dim: set.dim, count: set.count, classNames: [...set.classNames], ...(set.shape ? { shape: [...set.shape] } : {}) };
    const header = new TextEncoder().encode(JSON.stringify(fields));
    const out = new Uint8Array(4 + header.length + set.count * 4 + set.features.length * 4);
    new DataView(out.buffer).setUint32(0, header.length, true);
    out.set(header, 4);
    const labelsAt = 4 + header.length;
    out.set(new Uint8Array(Int32Array.from(set.labels.subarray(0, set.count)).buffer), labelsAt);
    out.set(new Uint8Array(set.features.buffer, set.features.byteOffset, set.features.byteLength), labelsAt + set.count * 4);
    const file = this.fileOf(key);
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, out);
    await rename(temp, file);
  }

  async keys(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const keys: string[] = [];
    for (const name of names.filter((n) => n.endsWith(SUFFIX))) {
      const parsed = decode(new Uint8Array(await readFile(join(this.dir, name))));
      if (parsed) keys.push(parsed.header.key);
    }
    return keys;
  }

  async clear(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.endsWith(SUFFIX)).map((n) => rm(join(this.dir, n), { force: true })));
  }
}

function decode(bytes: Uint8Array): { header: Header; set: FeatureSet } | null {
  if (bytes.length < 4) return null;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as Header;
  } catch {
    return null;
  }
  const labelsAt = 4 + headerLength;
  const featuresAt = labelsAt + header.count * 4;
  if (bytes.length !== featuresAt + header.count * header.dim * 4) return null;
  // Copies: the file buffer is not guaranteed to be 4-byte aligned.
  const labels = new Int32Array(bytes.slice(labelsAt, featuresAt).buffer);
  const features = new Float32Array(bytes.slice(featuresAt).buffer);
  const set: FeatureSet = { features, dim: header.dim, labels, classNames: header.classNames, count: header.count, ...(header.shape ? { shape: header.shape } : {}) };
  return { header, set };
}
