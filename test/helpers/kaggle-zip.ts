import { Zip, ZipDeflate, ZipPassThrough, zipSync, type Zippable } from 'fflate';
import { baseName } from '../../src/lab/data/file-kinds';
import { patientId } from '../../src/lab/data/patient-id';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { patientSplit } from '../../src/lab/data/split';
import { encodeImage } from './write-dataset';

/**
 * A zip laid out like Kaggle's chest-xray-pneumonia `archive.zip`: `chest_xray/{train,val,test}/{NORMAL,PNEUMONIA}/`,
 * a nested full copy under `chest_xray/chest_xray/`, `__MACOSX/` AppleDouble files at the top and inside, and
 * `.DS_Store` files — filled with phantom X-rays, generated in memory.
 */
export interface KaggleZipOptions {
  readonly perClass: number;
  readonly size?: number;
  readonly seed?: number;
  /** Write it as a stream (data descriptors after each entry, sizes unknown up front) instead of in one go. */
  readonly streamed?: boolean;
  /** Extra images present only in the nested copy, as `split/CLASS/name.jpeg`. */
  readonly nestedOnly?: readonly string[];
}

export interface KaggleZip {
  readonly bytes: Uint8Array;
  /** Image paths of the main tree (`chest_xray/train/NORMAL/IM-0001-0001.jpeg`), sorted. */
  readonly images: string[];
  /** Image paths of the nested copy. */
  readonly nested: string[];
  /** Every `__MACOSX/` and `.DS_Store` path. */
  readonly junk: string[];
}

export function makeKaggleZip(options: KaggleZipOptions): KaggleZip {
  const { perClass, size = 20, seed = 1 } = options;
  const set = generatePhantomImages({ perClass, size, channels: 1, seed });
  const parts = patientSplit(
    set.files.map((f, i) => ({ label: set.labels[i], patient: patientId(f) })),
    { val: 0.15, test: 0.25 },
    seed,
  );
  const files = new Map<string, Uint8Array>();
  const images: string[] = [];
  for (const split of ['train', 'val', 'test'] as const) {
    for (const i of parts[split]) {
      const rel = `${split}/${set.classNames[set.labels[i]]}/${baseName(set.files[i]).replace(/\.png$/, '.jpeg')}`;
      files.set(`chest_xray/${rel}`, encodeImage(set, i, 'jpeg'));
      images.push(`chest_xray/${rel}`);
    }
  }
  const nested: string[] = [];
  for (const path of images) {
    nested.push(path.replace('chest_xray/', 'chest_xray/chest_xray/'));
    files.set(nested.at(-1)!, files.get(path)!);
  }
  for (const rel of options.nestedOnly ?? []) {
    nested.push(`chest_xray/chest_xray/${rel}`);
    files.set(nested.at(-1)!, encodeImage(set, 0, 'jpeg'));
  }
  const appleDouble = new Uint8Array([0, 5, 22, 7, 0, 2, 0, 0, 77, 97, 99, 32]);
  const dsStore = new Uint8Array([0, 0, 0, 1, 66, 117, 100, 49]);
  const junk = [
    'chest_xray/.DS_Store',
    'chest_xray/train/.DS_Store',
    'chest_xray/chest_xray/.DS_Store',
    ...images.slice(0, 3).map((p) => `__MACOSX/${p.replace(/[^/]+$/, (n) => `._${n}`)}`),
    `chest_xray/__MACOSX/train/NORMAL/._${baseName(images[0])}`,
  ];
  for (const path of junk) files.set(path, path.endsWith('.DS_Store') ? dsStore : appleDouble);
  const bytes = options.streamed ? zipStreamed(files) : zipAtOnce(files);
  return { bytes, images: images.sort(), nested, junk };
}

/** JPEGs stored as they are (as Kaggle's archive does), the rest deflated; folder entries included. */
function zipAtOnce(files: Map<string, Uint8Array>): Uint8Array {
  const tree: Zippable = { 'chest_xray/': new Uint8Array(0) };
  for (const [path, bytes] of files) tree[path] = [bytes, { level: path.endsWith('.jpeg') ? 0 : 6 }];
  return zipSync(tree);
}

/** The same through fflate's streaming Zip: sizes come in data descriptors after each entry. */
function zipStreamed(files: Map<string, Uint8Array>): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    chunks.push(chunk);
  });
  let n = 0;
  for (const [path, bytes] of files) {
    // Alternate stored and deflated entries, so both decoders meet data descriptors.
    const entry = n++ % 2 === 0 ? new ZipDeflate(path, { level: 6 }) : new ZipPassThrough(path);
    zip.add(entry);
    entry.push(bytes, true);
  }
  zip.end();
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
