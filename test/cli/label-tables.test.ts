/**
 * `scan`, `compare` and `run` on datasets shaped like RSNA, NIH ChestX-ray14, CheXpert, MIMIC-CXR-JPG and COVIDx:
 * the right classes, patients and official splits, read through a label table.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli';
import {
  writeChexpert,
  writeCovidx,
  writeMimic,
  writeNih,
  writeRsna,
  type LabelDataset,
} from '../helpers/label-datasets';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-tables-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

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

const shapes: [string, (dir: string) => Promise<LabelDataset>][] = [
  ['RSNA', writeRsna],
  ['NIH ChestX-ray14', writeNih],
  ['CheXpert', writeChexpert],
  ['MIMIC-CXR-JPG (pre-joined .csv.gz)', writeMimic],
  ['COVIDx', writeCovidx],
];

for (const [name, write] of shapes) {
  describe(`a ${name}-shaped dataset`, () => {
    let ds: LabelDataset;
    beforeAll(async () => {
      ds = await write(root);
    });

    it('`scan` finds its classes, patients, official split and dropped rows', async () => {
      const { code, stdout, stderr } = await runCliCaptured(['scan', ds.data, ...ds.flags, '--json']);
      expect(stderr).not.toMatch(/xray-lab scan:/);
      expect(code).toBe(0);
      const s = JSON.parse(stdout);
      expect(s.classNames).toEqual(ds.classNames);
      expect(s.perClass).toEqual(ds.classNames.map((c) => [...ds.classOf.values()].filter((v) => v === c).length));
      expect(s.patients).toBe(new Set(ds.patientOf.values()).size);
      expect(s.leaks).toEqual({ patients: 0, duplicateGroups: 0 });
      expect(s.table.rowsDropped).toEqual(ds.dropped);
      if (ds.test.length > 0) {
        expect(s.testOrigin).toBe('folder');
        expect(s.splits.test.count).toBe(ds.test.length);
      } else expect(s.testOrigin).toBe('carved');
      if (ds.val.length > 0) expect(s.splits.val.count).toBe(ds.val.length);
      const reasons = Object.fromEntries(s.skipped.map((k: { path: string; reason: string }) => [k.path, k.reason]));
      for (const [path, head] of Object.entries(ds.skipped)) expect(reasons[path]).toMatch(new RegExp(`^${head}`));
      for (const path of ds.classOf.keys()) expect(reasons[path]).toBeUndefined();
    });

    it('`compare` trains on it and its card holds the table mapping and the official split', async () => {
      const out = join(root, `out-${name.split(' ')[0]}`);
      const { code, stderr } = await runCliCaptured([
        'compare',
        '--data',
        ds.data,
        ...ds.flags,
        ...TRAIN,
        '--out',
        out,
        '--json',
      ]);
      expect(stderr).not.toMatch(/xray-lab compare:/);
      expect(code).toBe(0);
      const card = JSON.parse(await readFile(join(out, 'experiment.json'), 'utf8'));
      expect(card.data.classNames).toEqual(ds.classNames);
      expect(card.data.identity.table.mapping.imageColumn).toBe(ds.flags[ds.flags.indexOf('--image-column') + 1]);
      expect(card.data.identity.table.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      const split = card.data.split as Record<'train' | 'val' | 'test', string[]>;
      const all = [...split.train, ...split.val, ...split.test].sort();
      expect(all).toEqual([...ds.classOf.keys()].sort());
      if (ds.test.length > 0) expect(split.test).toEqual([...ds.test].sort());
      if (ds.val.length > 0) expect(split.val).toEqual([...ds.val].sort());
      // No patient on two sides.
      const sides = new Map<string, Set<string>>();
      for (const side of ['train', 'val', 'test'] as const) {
        for (const f of split[side])
          sides.set(ds.patientOf.get(f)!, (sides.get(ds.patientOf.get(f)!) ?? new Set()).add(side));
      }
      expect([...sides.values()].filter((s) => s.size > 1)).toEqual([]);
      // Test labels are the table's classes.
      card.testImages.files.forEach((f: string, i: number) =>
        expect(ds.classNames[card.testImages.labels[i]]).toBe(ds.classOf.get(f)),
      );
    });
  });
}

describe('label-table options', () => {
  let nih: LabelDataset;
  beforeAll(async () => {
    nih = await writeNih(join(root, 'options'));
  });

  it('`run` replays the card with the same table and refuses a missing or changed one', async () => {
    const out = join(root, 'replay-src');
    expect((await runCliCaptured(['compare', '--data', nih.data, ...nih.flags, ...TRAIN, '--out', out])).code).toBe(0);
    const card = join(out, 'experiment.json');
    const files = ['--labels', nih.flags[1], '--test-list', nih.flags[nih.flags.indexOf('--test-list') + 1]];
    const replay = await runCliCaptured(['run', card, '--data', nih.data, ...files, '--out', join(root, 'replay-out')]);
    expect(replay.stderr).not.toMatch(/split differs/);
    expect(replay.code).toBe(0);
    const original = JSON.parse(await readFile(card, 'utf8'));
    const again = JSON.parse(await readFile(join(root, 'replay-out', 'experiment.json'), 'utf8'));
    expect(again.data.split.hash).toBe(original.data.split.hash);

    const missing = await runCliCaptured(['run', card, '--data', nih.data, '--out', join(root, 'replay-missing')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      "xray-lab run: the card's classes came from the label table Data_Entry_2017.csv: give it with --labels FILE",
    );
    const remap = await runCliCaptured([
      'run',
      card,
      '--data',
      nih.data,
      ...files,
      '--classes',
      'Effusion=NORMAL,Pneumonia=PNEUMONIA',
    ]);
    expect(remap.stderr.trim()).toBe(
      "xray-lab run: run replays the card's table mapping: --classes cannot change it (use compare)",
    );

    const pytorch = await runCliCaptured(['export-pytorch', card, '--out', join(root, 'pytorch')]);
    expect(pytorch.code).toBe(2);
    expect(pytorch.stderr.trim()).toBe(
      `xray-lab export-pytorch: ${card}: its classes came from the label table Data_Entry_2017.csv; export-pytorch does not read label tables yet`,
    );

    const changed = join(root, 'changed.csv');
    await writeFile(changed, (await readFile(nih.flags[1], 'utf8')).replace('No Finding,0,2', 'Pneumonia,0,2'));
    const other = await runCliCaptured([
      'run',
      card,
      '--data',
      nih.data,
      '--labels',
      changed,
      files[2],
      files[3],
      '--out',
      join(root, 'replay-other'),
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/its files differ from the data the card ran on/);
  });

  it('reads a zip of the same folder with the same table the same way', async () => {
    const entries: Record<string, Uint8Array> = {};
    for (const name of await readdir(join(nih.data, 'images')))
      entries[`nih/images/${name}`] = await readFile(join(nih.data, 'images', name));
    const zip = join(root, 'nih.zip');
    await writeFile(zip, zipSync(entries));
    const [fromFolder, fromZip] = await Promise.all(
      [nih.data, zip].map((d) => runCliCaptured(['scan', d, ...nih.flags, '--json'])),
    );
    expect(fromZip.code).toBe(0);
    const [a, b] = [fromFolder, fromZip].map((r) => JSON.parse(r.stdout));
    expect(b.perClass).toEqual(a.perClass);
    expect(b.patients).toBe(a.patients);
    expect(b.splits.test.count).toBe(nih.test.length);
  });

  const bad: [string, string[], string][] = [
    [
      'a column flag without --labels',
      ['--image-column', 'x'],
      'xray-lab scan: --image-column needs --labels FILE (a label table)',
    ],
    [
      '--labels without --label-column',
      ['--labels', '%T', '--image-column', 'Image Index'],
      'xray-lab scan: --labels needs --label-column NAME|N: the column holding each label',
    ],
    [
      'an unknown column',
      ['--labels', '%T', '--image-column', 'Image', '--label-column', 'Finding Labels'],
      'xray-lab scan: Data_Entry_2017.csv: --image-column Image: no such column (columns: Image Index, Finding Labels, Follow-up #, Patient ID, Patient Age, Patient Gender, View Position, OriginalImage[Width,Height], OriginalImagePixelSpacing[x,y])',
    ],
    [
      'a missing table',
      ['--labels', '/nonexistent/labels.csv', '--image-column', '1', '--label-column', '2'],
      'xray-lab scan: /nonexistent/labels.csv: --labels: file does not exist',
    ],
    [
      'a bad --classes',
      ['--labels', '%T', '--image-column', '1', '--label-column', '2', '--classes', 'Pneumonia'],
      'xray-lab scan: --classes: "Pneumonia" is not VALUE=CLASS',
    ],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what} with one line naming the file or flag`, async () => {
      const { code, stderr } = await runCliCaptured([
        'scan',
        nih.data,
        ...args.map((a) => (a === '%T' ? nih.flags[1] : a)),
      ]);
      expect(code).toBe(2);
      expect(stderr.trim()).toBe(message);
    });
  }
});
