/**
 * Generated full-size inputs for the ingest bench: N chest-X-ray-like 1024×1024 images in NORMAL/ and PNEUMONIA/
 * class folders, as uncompressed 16-bit MONOCHROME2 DICOM (explicit VR little endian, 12 bits stored, as a DX
 * detector writes), JPEG-baseline DICOM (8-bit grey) or 8-bit grey PNG (as NIH's). One phantom per class is
 * rendered at 1024 px with the lab's generator (slow at this size), then every file gets its own exposure offset and
 * pixel noise, so no two files are byte-identical (the pipeline would set duplicates aside).
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { renderChest, sampleAnatomy, sampleExposure, type Disease } from '../../src/lab/data/phantom-render';
import { createRng } from '../../src/lab/util/rng';
import { writeDicom } from '../../test/helpers/dicom-files';

export type SyntheticFormat = 'dicom' | 'dicom-jpeg' | 'png';
export const SYNTHETIC_FORMATS: readonly SyntheticFormat[] = ['dicom', 'dicom-jpeg', 'png'];

export const SYNTHETIC_SIZE = 1024;

export interface SyntheticSet {
  readonly dir: string;
  readonly images: number;
  /** Total size of the written files. */
  readonly bytes: number;
  readonly seconds: number;
}

const CLASSES: readonly { name: string; disease: Disease }[] = [
  { name: 'NORMAL', disease: 'none' },
  { name: 'PNEUMONIA', disease: 'bacteria' },
];

/** Writes `count` images of `format` into a new folder under the system's temp folder. */
export async function writeSyntheticSet(format: SyntheticFormat, count: number, seed = 1): Promise<SyntheticSet> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), `xray-ingest-${format}-`));
  const rng = createRng(seed);
  const bases = CLASSES.map(({ disease }) => {
    const anatomy = sampleAnatomy(rng, disease, 'clear');
    return renderChest(anatomy, sampleExposure(rng, anatomy), SYNTHETIC_SIZE, rng);
  });
  for (const { name } of CLASSES) await mkdir(join(dir, name));
  const max = format === 'dicom' ? 4095 : 255;
  const values = new Float64Array(SYNTHETIC_SIZE * SYNTHETIC_SIZE);
  let state = (seed * 2654435761) >>> 0 || 1;
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const c = i % CLASSES.length;
    const base = bases[c];
    const offset = (rng.next() - 0.5) * 0.06;
    for (let p = 0; p < values.length; p++) {
      // xorshift32: a million draws per image, where the lab's Rng would dominate the generation time.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const noise = ((state >>> 0) / 4294967296 - 0.5) * 0.01;
      values[p] = Math.round(Math.min(1, Math.max(0, base[p] + offset + noise)) * max);
    }
    const file = await encode(format, values);
    const ext = format === 'png' ? 'png' : 'dcm';
    await writeFile(join(dir, CLASSES[c].name, `synthetic-${String(i).padStart(5, '0')}.${ext}`), file);
    bytes += file.byteLength;
  }
  return { dir, images: count, bytes, seconds: (performance.now() - started) / 1000 };
}

async function encode(format: SyntheticFormat, values: Float64Array): Promise<Uint8Array> {
  const size = SYNTHETIC_SIZE;
  if (format === 'png') {
    const png = new PNG({ width: size, height: size, colorType: 0, inputColorType: 0, bitDepth: 8 });
    png.data = Buffer.from(Uint8Array.from(values));
    return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 });
  }
  if (format === 'dicom') return writeDicom({ width: size, height: size, values, bitsAllocated: 16, bitsStored: 12 });
  return writeDicom({ width: size, height: size, values, bitsAllocated: 8, syntax: 'jpeg-baseline' });
}
