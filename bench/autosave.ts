/**
 * What autosave costs an epoch: the end-of-epoch checkpoint (reading every weight, Adam's moments and the best
 * weights, then encoding them) is what the epoch waits for; the IndexedDB write (here fake-indexeddb, in memory)
 * happens behind the next epoch in the worker and is reported apart. The epoch itself is timed on a phantom subset
 * and scaled to the real Kermany train split (4,172 of 5,216 images at 80%): the checkpoint's cost depends on the
 * model, not on the number of images. Also prints the decoded dataset's size for 5,216 images at 64/128/299 px.
 *
 *   npm run bench -- autosave [--size 128] [--models cnn,light-k4] [--images 64] [--epochs 3] [--backend wasm]
 *                             [--env node|chromium|both]
 *
 * `--env chromium` (or both) also measures it in the built page in Debian's Chromium (autosave-chromium.ts): the
 * worker's real checkpoints into Chromium's IndexedDB, on a demo set whose training split is about `--images`.
 * Figures go to stdout and bench/results/autosave.json.
 */
import 'fake-indexeddb/auto';
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendPreference } from '../src/lab/backend/select-backend';
import { generatePhantomImages } from '../src/lab/data/phantom';
import { encodeCheckpoint } from '../src/lab/persist/checkpoint-codec';
import { ProjectStore } from '../src/lab/persist/project-store';
import { findModel } from '../src/lab/registry';
import { trainModel } from '../src/lab/train/trainer';
import { chromiumAutosave, type ChromiumAutosaveRow } from './autosave-chromium';

const KERMANY_IMAGES = 5216;
const KERMANY_TRAIN = Math.round(KERMANY_IMAGES * 0.8);

interface Row {
  model: string;
  size: number;
  backend: string;
  /** Epoch time on the subset without checkpoints, and scaled to the full train split. */
  epochMs: number;
  fullEpochMs: number;
  /** What the epoch waits for: capture + encode (median over epochs). */
  checkpointMs: number;
  /** The IndexedDB put (fake-indexeddb), off the epoch's path in the worker. */
  writeMs: number;
  checkpointBytes: number;
  /** checkpointMs / fullEpochMs: the limit is 5%. */
  overheadFull: number;
  overheadSubset: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runAutosaveBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      size: { type: 'string' },
      models: { type: 'string' },
      images: { type: 'string' },
      epochs: { type: 'string' },
      backend: { type: 'string' },
      env: { type: 'string' },
    },
  });
  const env = values.env ?? 'node';
  if (!['node', 'chromium', 'both'].includes(env))
    throw new Error(`--env must be node, chromium or both (got "${env}")`);
  const size = Number(values.size ?? 128);
  const images = Number(values.images ?? 64);
  const epochs = Number(values.epochs ?? 3);
  const backend = await selectBackend((values.backend ?? 'wasm') as BackendPreference);
  const set = generatePhantomImages({ perClass: images / 2, size, channels: 1, seed: 3 });
  const store = await ProjectStore.open();
  const rows: Row[] = [];
  const models = (values.models ?? 'cnn,light-k4').split(',');
  for (const modelId of env === 'chromium' ? [] : models) {
    const entry = findModel(modelId);
    const options = { epochs, batchSize: 16, seed: 1, pixelRange: entry.pixelRange };
    const plain = entry.build({ size, channels: 1, seed: 1 });
    const base = await trainModel(plain, set, null, options);
    plain.dispose();
    // Epoch 1 warms up kernels; the median of the rest.
    const epochMs = median(base.history.slice(1).map((h) => h.ms));

    const saving = entry.build({ size, channels: 1, seed: 1 });
    const captureMs: number[] = [];
    const writeMs: number[] = [];
    let bytes = 0;
    let lastEpochEnd = 0;
    await trainModel(saving, set, null, options, {
      onEpochEnd: () => void (lastEpochEnd = performance.now()),
      onCheckpoint: async (cp) => {
        const encoded = encodeCheckpoint(cp);
        // From the epoch's end (log sent) to the encoded bytes: reading weights and moments, and encoding.
        captureMs.push(performance.now() - lastEpochEnd);
        bytes = encoded.byteLength;
        const t = performance.now();
        await store.putCheckpoint(
          {
            modelId,
            seed: 1,
            label: modelId,
            epoch: cp.epoch,
            epochs,
            fingerprint: 'bench',
            source: 'phantom',
            backend: cp.backend,
            bytes,
            savedAt: '',
          },
          encoded,
        );
        writeMs.push(performance.now() - t);
      },
    });
    saving.dispose();
    const checkpointMs = median(captureMs.slice(1));
    const fullEpochMs = (epochMs / set.count) * KERMANY_TRAIN;
    const row: Row = {
      model: modelId,
      size,
      backend: backend.name,
      epochMs,
      fullEpochMs,
      checkpointMs,
      writeMs: median(writeMs.slice(1)),
      checkpointBytes: bytes,
      overheadFull: checkpointMs / fullEpochMs,
      overheadSubset: checkpointMs / epochMs,
    };
    rows.push(row);
    process.stdout.write(
      `${modelId} @${size}px ${backend.name}: epoch ${epochMs.toFixed(0)} ms on ${set.count} images ` +
        `(≈ ${(fullEpochMs / 1000).toFixed(1)} s on ${KERMANY_TRAIN}); checkpoint ${checkpointMs.toFixed(1)} ms in the epoch ` +
        `(${(row.overheadFull * 100).toFixed(3)}% of a full epoch, ${(row.overheadSubset * 100).toFixed(2)}% of this subset's), ` +
        `write ${row.writeMs.toFixed(1)} ms behind it, ${(bytes / 1e6).toFixed(2)} MB\n`,
    );
  }
  store.close();
  let chromium: ChromiumAutosaveRow[] = [];
  if (env !== 'node') {
    // The page splits 70 / 10 / 20: a demo set of images / 0.7 trains on about `images` per epoch.
    const perClass = Math.max(4, Math.round(images / 2 / 0.7));
    chromium = await chromiumAutosave({ size, models, perClass, epochs: Math.max(epochs, 3) });
    for (const r of chromium) {
      process.stdout.write(
        `${r.model} @${size}px chromium wasm (the page, ${r.images} demo images, ${r.epochs} epochs): checkpoint ` +
          `${r.checkpointMs.toFixed(1)} ms per epoch = ${(r.overheadSubset * 100).toFixed(2)}% of the median epoch (an upper bound for a ` +
          `full epoch), ${(r.checkpointBytes / 1e6).toFixed(2)} MB into Chromium's IndexedDB\n`,
      );
    }
  }
  // The decoded store keeps uint8 pixels (ImageSet.pixels): n × size² × channels bytes.
  const dataset = [64, 128, 299].flatMap((s) =>
    ([1, 3] as const).map((channels) => ({ size: s, channels, bytes: KERMANY_IMAGES * s * s * channels })),
  );
  for (const d of dataset) {
    process.stdout.write(
      `decoded ${KERMANY_IMAGES} images at ${d.size} px × ${d.channels} channel(s): ${(d.bytes / 1e6).toFixed(1)} MB (computed: uint8 pixels)\n`,
    );
  }
  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/autosave.json',
    `${JSON.stringify({ date: new Date().toISOString(), rows, chromium, dataset }, null, 2)}\n`,
  );
  return 0;
}
