import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThreadDecoder } from '../../src/lab/data/node/decoder-threads';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { writeDicomClassFolders, writeRsnaShaped, PLANTED, type DicomClassFolders } from '../helpers/dicom-dataset';
import { runCliCaptured } from '../helpers/run-cli';

const TRAIN = [
  '--models',
  'light-k1',
  '--size',
  '12',
  '--channels',
  '1',
  '--epochs',
  '1',
  '--batch',
  '8',
  '--bootstrap',
  '0',
];

let root = '';
let folders: DicomClassFolders;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-dicom-'));
  folders = await writeDicomClassFolders(join(root, 'classes'));
  // Not every file without an extension is a DICOM.
  await writeFile(join(root, 'classes', 'NORMAL', 'README'), 'notes about this folder\n');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('scan and compare on folders of DICOM files', () => {
  it('scan reads every syntax and naming style, and counts patients by Patient ID', async () => {
    const { code, stdout, stderr } = await runCliCaptured(['scan', folders.dir, '--json']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(summary.images).toBe(folders.patientOf.size);
    expect(summary.formats).toEqual({ dicom: folders.patientOf.size });
    // File names say nothing of the patient: only (0010,0020) can group them.
    expect(summary.patients).toBe(folders.patients);
    expect(summary.leaks.patients).toBe(0);
    expect(summary.skipped).toEqual([
      { path: 'NORMAL/README', reason: 'not a JPEG, PNG or DICOM image (starts with text "notes about")' },
    ]);
  });

  it('an RSNA-shaped folder and table: classes from Target, boxes counted once, a patient per file', async () => {
    const rsna = await writeRsnaShaped(join(root, 'rsna', 'stage_2_train_images'));
    const flags = [
      '--labels',
      rsna.table,
      '--image-column',
      'patientId',
      '--label-column',
      'Target',
      '--classes',
      '0=NORMAL,1=PNEUMONIA',
    ];
    const { code, stdout, stderr } = await runCliCaptured(['scan', rsna.dir, ...flags, '--json']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    const positives = [...rsna.targets.values()].filter((t) => t === 1).length;
    expect(summary.perClass).toEqual([rsna.targets.size - positives, positives]);
    expect(summary.patients).toBe(rsna.targets.size);
    expect(summary.formats).toEqual({ dicom: rsna.targets.size });
  });

  it('the decode threads carry the patient key and the same pixels as the calling thread', async () => {
    const path = [...folders.patientOf.keys()][1];
    const bytes = new Uint8Array(await readFile(join(folders.dir, path)));
    const format = { size: 16, channels: 1 as const };
    const inline = await createNodeDecoder().decode(bytes.slice(), path, format);
    const threads = createThreadDecoder({ threads: 1 });
    try {
      const threaded = await threads.decode(bytes.slice(), path, format);
      expect(threaded.pixels).toEqual(inline.pixels);
      expect(threaded.patientKey).toBe(inline.patientKey);
      expect(inline.patientKey).toMatch(/^dicom:/);
    } finally {
      threads.close();
    }
  });

  it('compare --out keeps each patient in one split and writes no header value anywhere', async () => {
    const out = join(root, 'out');
    await tf.setBackend('cpu'); // so that tensors can be counted before the run (compare picks its own backend)
    const tensors = tf.memory().numTensors;
    const { code, stdout, stderr } = await runCliCaptured(['compare', '--data', folders.dir, ...TRAIN, '--out', out]);
    expect(code, stderr).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors);

    const card = JSON.parse(await readFile(join(out, 'experiment.json'), 'utf8'));
    const splitOf = new Map<string, string>();
    for (const split of ['train', 'val', 'test'])
      for (const path of card.data.split[split] as string[]) splitOf.set(path, split);
    expect(splitOf.size).toBe(folders.patientOf.size);
    const splitsOfPatient = new Map<string, Set<string>>();
    for (const [path, id] of folders.patientOf)
      splitsOfPatient.set(id, (splitsOfPatient.get(id) ?? new Set()).add(splitOf.get(path)!));
    for (const [id, splits] of splitsOfPatient) expect([...splits], id).toHaveLength(1);
    expect(new Set(splitOf.values()).size).toBeGreaterThan(1);

    const planted = [
      PLANTED.name,
      'Plantedsurname',
      PLANTED.birthDate,
      PLANTED.institution,
      PLANTED.accession,
      PLANTED.idPrefix,
    ];
    // The search finds them where they are: in the inputs.
    const input = new Uint8Array(await readFile(join(folders.dir, [...folders.patientOf.keys()][0])));
    for (const value of planted) expect(holds(input, value), value).toBe(true);
    const files = await allFiles(out);
    expect(files.length).toBeGreaterThan(5);
    const found: string[] = [];
    for (const file of files) {
      for (const [name, bytes] of contentsOf(relative(out, file), new Uint8Array(await readFile(file)))) {
        for (const value of planted) if (holds(bytes, value)) found.push(`${name}: ${value}`);
      }
    }
    for (const value of planted) if (stdout.includes(value) || stderr.includes(value)) found.push(`console: ${value}`);
    expect(found).toEqual([]);
  });
});

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** A file's bytes, and for a zip each entry's too (a zip's entries are compressed: a raw search would miss them). */
function contentsOf(name: string, bytes: Uint8Array): [string, Uint8Array][] {
  const all: [string, Uint8Array][] = [[name, bytes]];
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    for (const [entry, data] of Object.entries(unzipSync(bytes))) all.push(...contentsOf(`${name}!${entry}`, data));
  }
  return all;
}

/** The text in the bytes as ASCII/UTF-8 or UTF-16 (either byte order), case-insensitively. */
function holds(bytes: Uint8Array, text: string): boolean {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lower = haystack.toString('latin1').toLowerCase();
  if (lower.includes(text.toLowerCase())) return true;
  const wide = Buffer.from(text.toLowerCase(), 'utf16le');
  const swapped = Buffer.from(wide).swap16();
  const asLower = Buffer.from(lower, 'latin1');
  return asLower.includes(wide) || asLower.includes(swapped);
}
