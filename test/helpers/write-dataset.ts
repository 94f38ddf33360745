import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { baseName } from '../../src/lab/data/file-kinds';
import type { ImageSet } from '../../src/lab/data/image-set';
import { patientId } from '../../src/lab/data/patient-id';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { patientSplit, type SplitFractions } from '../../src/lab/data/split';
import { encodePng } from './png-encode';

/**
 * Writes a generated phantom dataset to a folder as real image files, the way a user's download looks, for the
 * folder-reading and CLI tests. Optionally in train/val/test folders and with the junk real downloads carry.
 */
export interface WriteDatasetOptions {
  readonly perClass: number;
  /** Image side in px (default 32). */
  readonly size?: number;
  readonly seed?: number;
  /** File format; 'mixed' alternates PNG and JPEG (default 'png'). */
  readonly format?: 'png' | 'jpeg' | 'mixed';
  /** Write into split folders (patient-level split with these fractions, default val 0.2 / test 0.2). */
  readonly splits?: boolean | SplitFractions;
  /** How to spell the split folders (e.g. (s) => s.toUpperCase()). */
  readonly splitName?: (split: 'train' | 'val' | 'test') => string;
  /** Add `.DS_Store`, `__MACOSX/`, a text file, a 0-byte, a text-as-JPEG and a truncated JPEG. */
  readonly junk?: boolean;
  readonly classNames?: readonly string[];
}

/** What was written: the generated set, the image files (relative paths, in set order) and the junk files. */
export interface WrittenDataset {
  readonly set: ImageSet;
  readonly images: string[];
  /** Junk file paths by kind; the bad images (`empty`, `text`, `truncated`) are inside a class folder. */
  readonly junk: Record<'dsStore' | 'macosx' | 'readme' | 'empty' | 'text' | 'truncated', string> | null;
}

/** Encodes one image of `set` (grey) as PNG or JPEG bytes. */
export function encodeImage(set: ImageSet, index: number, format: 'png' | 'jpeg'): Uint8Array {
  const per = set.size * set.size * set.channels;
  const pixels = set.pixels.subarray(index * per, (index + 1) * per);
  const grey = new Uint8Array(set.size * set.size);
  for (let i = 0; i < grey.length; i++) grey[i] = pixels[i * set.channels];
  if (format === 'png')
    return encodePng({ width: set.size, height: set.size, colorType: 0, bitDepth: 8, samples: grey });
  const rgba = new Uint8Array(grey.length * 4);
  for (let i = 0; i < grey.length; i++) {
    rgba.fill(grey[i], i * 4, i * 4 + 3);
    rgba[i * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width: set.size, height: set.size, data: rgba }, 90).data);
}

async function put(root: string, rel: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), bytes);
}

/** Writes the dataset under `dir` (created if needed). */
export async function writeDataset(dir: string, options: WriteDatasetOptions): Promise<WrittenDataset> {
  const { perClass, size = 32, seed = 1, format = 'png', junk = false } = options;
  const set = generatePhantomImages({ perClass, size, channels: 1, seed, classNames: options.classNames });
  const splitOf: string[] = new Array(set.count).fill('');
  if (options.splits) {
    const fractions = options.splits === true ? { val: 0.2, test: 0.2 } : options.splits;
    const items = set.files.map((f, i) => ({ label: set.labels[i], patient: patientId(f) }));
    const parts = patientSplit(items, fractions, seed);
    const spell = options.splitName ?? ((s: string) => s);
    for (const split of ['train', 'val', 'test'] as const)
      for (const i of parts[split]) splitOf[i] = `${spell(split)}/`;
  }

  const images: string[] = [];
  for (let i = 0; i < set.count; i++) {
    const fmt = format === 'mixed' ? (i % 2 === 0 ? 'png' : 'jpeg') : format;
    const name = baseName(set.files[i]).replace(/\.png$/, fmt === 'png' ? '.png' : '.jpeg');
    const rel = `${splitOf[i]}${set.classNames[set.labels[i]]}/${name}`;
    await put(dir, rel, encodeImage(set, i, fmt));
    images.push(rel);
  }
  if (!junk) return { set, images, junk: null };

  const inClass = `${options.splits ? `${(options.splitName ?? ((s: string) => s))('train')}/` : ''}${set.classNames[0]}`;
  const good = encodeImage(set, 0, 'jpeg');
  const paths = {
    dsStore: '.DS_Store',
    macosx: `__MACOSX/${set.classNames[0]}/._${baseName(images[0])}`,
    readme: 'README.txt',
    empty: `${inClass}/empty.jpeg`,
    text: `${inClass}/notes.jpeg`,
    truncated: `${inClass}/truncated.jpeg`,
  };
  await put(dir, paths.dsStore, new Uint8Array([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
  await put(dir, paths.macosx, new Uint8Array([0, 5, 0x16, 7, 0, 2, 0, 0]));
  await put(dir, paths.readme, 'Phantom chest X-rays for tests.\n');
  await put(dir, paths.empty, new Uint8Array(0));
  await put(dir, paths.text, 'this is not a picture\n');
  await put(dir, paths.truncated, good.subarray(0, Math.floor(good.length / 2)));
  return { set, images, junk: paths };
}
