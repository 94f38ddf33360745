/**
 * What keeping the decoded dataset in the browser takes: the real Kermany train folder (5,216 images) decoded at
 * 64 px through the core pipeline, written through the dataset store (here fake-indexeddb, in memory) in chunks,
 * read back and compared byte for byte; its stored size, and the size at 128 and 299 px computed from the format
 * (pixels n × size² × channels, plus the same labels, names and summary).
 *
 *   npm run bench -- dataset-store [--data ../shared/data/chest-xray-224/train] [--size 64]
 *
 * Figures go to stdout and bench/results/dataset-store.json.
 */
import 'fake-indexeddb/auto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createBestNodeDecoder } from '../src/lab/data/node/decoder-threads';
import { nodeFolderSource } from '../src/lab/data/node/sources';
import { ingest } from '../src/lab/data/pipeline';
import { DEFAULT_DATASET_BUDGET, megabytes, storedBytes } from '../src/lab/persist/dataset-record';
import { DatasetStore } from '../src/lab/persist/dataset-store';
import type { LoadedDataset } from '../src/worker/dataset';
import { toStored } from '../src/worker/dataset-autosave';

export async function runDatasetStoreBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', default: '../shared/data/chest-xray-224/train' },
      size: { type: 'string', default: '64' },
    },
  });
  const dir = values.data!;
  const size = Number(values.size);
  if (!existsSync(dir)) {
    console.log(`dataset-store: ${dir} is not there; skipped (pass --data DIR)`);
    return 0;
  }
  const started = performance.now();
  const decoder = createBestNodeDecoder(10_000);
  let result;
  try {
    result = await ingest(nodeFolderSource(dir), {
      decoder,
      format: { size, channels: 1 },
      split: { valFraction: 0.1, testFraction: 0.2, seed: 1, keepOfficialVal: false },
    });
  } finally {
    decoder.close();
  }
  const decodeMs = performance.now() - started;
  const { images, train, val, test } = result;
  if (!images || !train || !val || !test) throw new Error(`${dir}: nothing decoded`);
  const ds: LoadedDataset = {
    source: { kind: 'stored', name: dir, limit: 0, size },
    images,
    sets: { train, val, test },
    split: result.summary.splitSettings,
    presets: new Map(),
    duplicateGroups: result.duplicateGroups,
    summary: result.summary,
    identity: result.identity,
  };
  const record = toStored(ds);
  const store = await DatasetStore.open();
  const t0 = performance.now();
  const outcome = await store.save(record, DEFAULT_DATASET_BUDGET, null);
  const writeMs = performance.now() - t0;
  const t1 = performance.now();
  const back = await store.load();
  const readMs = performance.now() - t1;
  store.close();
  const same = back != null && Buffer.from(back.pixels).equals(Buffer.from(images.pixels));
  const overhead = storedBytes(record.meta) - record.meta.pixelBytes;
  const rows = [64, 128, 299].flatMap((s) =>
    [1, 3].map((channels) => {
      const pixels = images.count * s * s * channels;
      return {
        size: s,
        channels,
        pixels,
        stored: pixels + overhead,
        fitsDefaultBudget: pixels + overhead <= DEFAULT_DATASET_BUDGET,
      };
    }),
  );
  console.log(
    `dataset-store: ${images.count} images from ${dir} decoded at ${size} px grey in ${(decodeMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  written through DatasetStore (fake-indexeddb): ${outcome.bytes} bytes (${megabytes(outcome.bytes)}), stored=${outcome.stored}, ` +
      `pixels ${record.meta.pixelBytes}, labels/names/summary ${overhead}; write ${writeMs.toFixed(0)} ms, read ${readMs.toFixed(0)} ms; read back byte-exact: ${same}`,
  );
  for (const r of rows)
    console.log(
      `  ${r.size} px ×${r.channels}: ${megabytes(r.stored)} (${r.fitsDefaultBudget ? 'fits' : 'over'} the 500 MB default budget)`,
    );
  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/dataset-store.json',
    JSON.stringify(
      {
        images: images.count,
        size,
        storedBytes: outcome.bytes,
        pixelBytes: record.meta.pixelBytes,
        overhead,
        writeMs,
        readMs,
        decodeMs,
        same,
        rows,
      },
      null,
      2,
    ),
  );
  return same ? 0 : 1;
}
