/**
 * Data for the page's ingestion tests, written to disk as a user would have it, and the few page moves that load
 * it: a Kaggle-like archive (nested copy, __MACOSX, .DS_Store), a folder with junk and broken images, and a folder of
 * images without class folders (a wrong layout).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { shownNumber } from './browser';
import { makeKaggleZip, type KaggleZip } from '../helpers/kaggle-zip';
import { baseName } from '../../src/lab/data/file-kinds';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { encodePng } from '../helpers/png-encode';
import { encodeImage, writeDataset, type WrittenDataset } from '../helpers/write-dataset';

export interface IngestFixtures {
  /** `archive.zip`, as Kaggle names its download. */
  readonly zipPath: string;
  readonly kaggle: KaggleZip;
  /** A folder `junk-xrays/` with NORMAL/ and PNEUMONIA/ plus every kind of junk. */
  readonly junkFolder: string;
  readonly junk: WrittenDataset;
  /** A folder `loose-xrays/` holding images directly, no class folders. */
  readonly wrongFolder: string;
  /** A folder `many-xrays/` of 3,000 PNGs: slow enough to decode (seconds) that Cancel reliably comes first. */
  readonly bigFolder: string;
}

export async function writeIngestFixtures(work: string, size: number): Promise<IngestFixtures> {
  const kaggle = makeKaggleZip({ perClass: 10, size: 24, seed: 2 });
  const zipPath = join(work, 'archive.zip');
  await writeFile(zipPath, kaggle.bytes);
  const junkFolder = join(work, 'junk-xrays');
  const junk = await writeDataset(junkFolder, { perClass: 6, size, format: 'mixed', junk: true, seed: 4 });
  const wrongFolder = join(work, 'loose-xrays');
  await mkdir(wrongFolder, { recursive: true });
  for (let i = 0; i < 4; i++) await writeFile(join(wrongFolder, `scan-${i}.png`), encodeImage(junk.set, i, 'png'));
  const bigFolder = join(work, 'many-xrays');
  await writeManyPngs(bigFolder, size, 1500);
  return { zipPath, kaggle, junkFolder, junk, wrongFolder, bigFolder };
}

/**
 * `perClass` PNGs in each class folder, for a load to cancel: 20 phantoms per class, each written many times with
 * one pixel changed, so no two files are byte-identical copies. Generating every image as a phantom took most of
 * the lab file's set-up (3,000 phantoms: ~5 s of CPU), and the load is cancelled long before what they show counts.
 * PNG only: jpeg-js takes ~30 ms to encode one image, the PNG helper well under 1 ms.
 */
async function writeManyPngs(dir: string, size: number, perClass: number): Promise<void> {
  const set = generatePhantomImages({ perClass: 20, size, channels: 1, seed: 5 });
  const per = size * size;
  for (let i = 0; i < 2 * perClass; i++) {
    const src = i % set.count;
    const grey = set.pixels.slice(src * per, (src + 1) * per);
    const copy = Math.floor(i / set.count);
    grey[copy % per] ^= 1 + (Math.floor(copy / per) % 255);
    const folder = join(dir, set.classNames[set.labels[src]]);
    await mkdir(folder, { recursive: true });
    const name = `copy${copy}-${baseName(set.files[src])}`;
    await writeFile(
      join(folder, name),
      encodePng({ width: size, height: size, colorType: 0, bitDepth: 8, samples: grey }),
    );
  }
}

/** Loads an archive the way a user does: "Choose .zip…" switches dataset-input to zip mode and opens it. */
export async function chooseZip(page: Page, path: string): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Choose .zip…' }).click(),
  ]);
  expect(await chooser.element().getAttribute('data-testid')).toBe('dataset-input');
  await chooser.setFiles(path);
}

/** Skipped files as the summary lists them: path → reason. */
export function skippedFiles(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-testid=dataset-summary] [data-testid=skipped-file]', (els) =>
    Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.path!, (e as HTMLElement).dataset.reason!])),
  );
}

/** The summary's cell for a class (or the All / Patients row) and split. */
export async function cell(
  page: Page,
  row: { cls: string } | { row: 'all' | 'patients' },
  split: 'train' | 'val' | 'test' | 'all',
): Promise<number> {
  const tr = 'cls' in row ? `tr[data-class="${row.cls}"]` : `tr[data-row="${row.row}"]`;
  return shownNumber(await page.textContent(`[data-testid=dataset-summary] ${tr} td[data-split="${split}"]`));
}

/** Images of the archive's main tree per split and class, as the page should count them. */
export function kaggleCounts(kaggle: KaggleZip): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const path of kaggle.images) {
    const [, split, cls] = path.split('/');
    counts[`${split}/${cls}`] = (counts[`${split}/${cls}`] ?? 0) + 1;
  }
  return counts;
}
