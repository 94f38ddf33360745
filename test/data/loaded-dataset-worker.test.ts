/**
 * The worker's shell over the loaded-dataset core, in Node: a picked folder's estimate against the page's dataset
 * budget, made from the listing alone (nothing decoded), with the subset the page offers; and the demo set.
 */
import { describe, expect, it, vi } from 'vitest';
import { budgetSubset } from '../../src/lab/data/budget-subset';
import type { PickedFile } from '../../src/lab/data/browser/picked';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { describe as describeDataset, estimateDataset, loadDataset } from '../../src/worker/dataset';
import { encodeImage } from '../helpers/write-dataset';

vi.mock('../../src/worker/rpc', () => ({ emit: () => undefined }));
// Node has no Worker: the page's decode pool is the Node decoder here; listings are counted.
vi.mock('../../src/lab/data/browser', async (original) => {
  const { createNodeDecoder } = await import('../../src/lab/data/node/decode');
  return { ...(await original<object>()), createWorkerDecoder: () => createNodeDecoder() };
});
const listings = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/lab/data/scan', async (original) => {
  const actual = await original<typeof import('../../src/lab/data/scan')>();
  return {
    ...actual,
    scanSource: (...args: Parameters<typeof actual.scanSource>) => {
      listings.count++;
      return actual.scanSource(...args);
    },
  };
});

const SPLIT = { valFraction: 0.1, testFraction: 0.2, seed: 3, keepOfficialVal: false };

/** A dropped folder of phantom PNGs, as the page posts it. */
function pickedFolder(perClass: number): { kind: 'files'; name: string; files: PickedFile[] } {
  const set = generatePhantomImages({ perClass, size: 16, channels: 1, seed: 1 });
  const files = set.files.map((f, i) => ({
    path: `xrays/${set.classNames[set.labels[i]]}/${f.split('/').pop()}`,
    file: new Blob([encodeImage(set, i, 'png') as BlobPart]),
  }));
  return { kind: 'files', name: 'xrays', files };
}

describe("the worker's estimate before decoding", () => {
  it('over the dataset budget: the line, the subset to offer, and that all of it may still load', async () => {
    const picked = pickedFolder(40);
    const estimate = (await estimateDataset(
      { kind: 'picked', picked, limit: 0 },
      { format: { size: 64, channels: 3 }, split: SPLIT, budgetBytes: 30 * 64 * 64 * 3 },
    ))!;
    expect(estimate.all.images).toBe(80);
    expect(estimate.decodedBytes).toBe(80 * 64 * 64 * 3);
    expect(estimate.budget.name).toBe('dataset budget');
    expect(estimate.fits).toBe(false);
    expect(estimate.loadAllAllowed).toBe(true);
    expect(estimate.subset!.images).toBeLessThanOrEqual(30);
    expect(estimate.subset!.perClass.every((n) => n > 0)).toBe(true);
    expect(estimate.chosen).toBeNull();
    expect(estimate.line).toMatch(/^80 images at 64×64×3 need 983 kB decoded; dataset budget 369 kB: over it by/);
    // Counts only: nothing of the files' names crosses to the page.
    expect(JSON.stringify(estimate)).not.toMatch(/IM-|person|\.png/);
  });

  it('with a subset asked for, says which: the same images the core chooses from the listing', async () => {
    const picked = pickedFolder(20);
    const estimate = (await estimateDataset(
      { kind: 'picked', picked, limit: 0, subset: 12 },
      { format: { size: 16, channels: 1 }, split: SPLIT, budgetBytes: 0 },
    ))!;
    // A budget of 0 (never stored) leaves the tab's memory limit as the budget.
    expect(estimate.budget.name).toBe("this tab's memory limit");
    expect(estimate.fits).toBe(true);
    const listed = picked.files.map((f, i) => ({ path: f.path.slice('xrays/'.length), label: i < 20 ? 0 : 1 }));
    listed.sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(estimate.chosen!.images).toBe(budgetSubset(listed, 12, SPLIT.seed).length);
    expect(estimate.chosen!.line).toMatch(/^subset 12 \(seed 3\): \d+ images \(NORMAL \d+, PNEUMONIA \d+; pool \d+\)/);
  });

  it('gives null when cancelled while listing, and rejects a layout it cannot read', async () => {
    const controller = new AbortController();
    controller.abort();
    const options = { format: { size: 16, channels: 1 as const }, split: SPLIT, signal: controller.signal };
    expect(await estimateDataset({ kind: 'picked', picked: pickedFolder(5), limit: 0 }, options)).toBeNull();
    const one = { kind: 'files' as const, name: 'one', files: [{ path: 'one/A/a.png', file: new Blob(['x']) }] };
    await expect(
      estimateDataset({ kind: 'picked', picked: one, limit: 0 }, { ...options, signal: undefined }),
    ).rejects.toThrow(/one/);
  });
});

describe("the worker's load of picked files", () => {
  it('reports the estimate before decoding, reuses the listing of the estimate before it, and loads the subset', async () => {
    const picked = pickedFolder(20);
    const format = { size: 16, channels: 1 as const };
    const before = listings.count;
    const estimate = (await estimateDataset({ kind: 'picked', picked, limit: 0 }, { format, split: SPLIT }))!;
    const request = 14;
    const phases: string[] = [];
    let phasesAtEstimate: string[] = [];
    const ds = (await loadDataset(
      { kind: 'picked', picked, limit: 0, subset: request },
      {
        format,
        split: SPLIT,
        onProgress: (p) => phases.push(p.phase),
        onEstimate: (e) => {
          phasesAtEstimate = [...phases];
          expect(e.chosen!.images).toBeLessThanOrEqual(estimate.all.images);
        },
      },
    ))!;
    expect(listings.count - before).toBe(1);
    expect(phasesAtEstimate).not.toContain('loading');
    expect(phases).toContain('loading');
    const listed = picked.files.map((f, i) => ({ path: f.path.slice('xrays/'.length), label: i < 20 ? 0 : 1 }));
    listed.sort((a, b) => (a.path < b.path ? -1 : 1));
    const chosen = budgetSubset(listed, request, SPLIT.seed).map((i) => listed[i].path);
    expect([...ds.images.files].sort()).toEqual(chosen);
    expect(ds.source).toMatchObject({ kind: 'picked', subset: request });
    expect(describeDataset(ds).subset).toBe(request);
    // A second load lists again: the estimate's listing is used once.
    await loadDataset({ kind: 'picked', picked, limit: 0 }, { format, split: SPLIT });
    expect(listings.count - before).toBe(2);
  });
});

describe("the worker's demo set", () => {
  it('loads through the core as before: split, summarised, described with no subset', async () => {
    const ds = (await loadDataset(
      { kind: 'demo', perClass: 15, seed: 2 },
      { format: { size: 8, channels: 1 }, split: SPLIT },
    ))!;
    expect(ds.summary.source).toBe('Demo phantom set (15 per class, seed 2)');
    expect(ds.images.count).toBe(30);
    expect(ds.source).toEqual({ kind: 'demo', perClass: 15, seed: 2 });
    const info = describeDataset(ds);
    expect(info).toMatchObject({ demo: true, limit: 0 });
    expect(info.subset).toBeUndefined();
  });
});
