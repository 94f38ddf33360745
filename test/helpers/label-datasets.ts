/**
 * Tiny datasets shaped like the field's label-table downloads, generated in code: RSNA's
 * `stage_2_train_labels.csv` (PNGs here, not DICOM), NIH ChestX-ray14's `Data_Entry_2017.csv` and `test_list.txt`,
 * CheXpert's `train.csv`, a MIMIC-CXR-JPG table pre-joined per image (`.csv.gz`), COVIDx's `train.txt`/`test.txt`.
 * Each comes with the flags that read it and what a correct reading finds. No real patient data: every id is made up.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { encodeImage } from './write-dataset';

export interface LabelDataset {
  /** What --data points at. */
  readonly data: string;
  /** The label flags (--labels …, --image-column …). */
  readonly flags: string[];
  readonly classNames: string[];
  /** Image path (relative to `data`) → class, for every image a correct reading keeps. */
  readonly classOf: Map<string, string>;
  /** Image path → patient, for the same images. */
  readonly patientOf: Map<string, string>;
  /** Images the official split puts in test and in val (relative to `data`). */
  readonly test: string[];
  readonly val: string[];
  /** Rows dropped, by reason, as the table report counts them. */
  readonly dropped: { noImage: number; ambiguousImage: number; noClass: number; twoClasses: number };
  /** Images left out and listed as skipped, with the head of their reason. */
  readonly skipped: Record<string, string>;
}

interface Planned {
  readonly path: string;
  readonly pneumonia: boolean;
  readonly format: 'png' | 'jpeg';
}

/** Writes phantom images (pneumonia ones with opacities) at the planned paths under `root`. */
async function writeImages(root: string, planned: readonly Planned[], seed: number): Promise<void> {
  const n = planned.length;
  const set = generatePhantomImages({ perClass: n, size: 16, channels: 1, seed });
  let normal = 0;
  let sick = n;
  for (const p of planned) {
    const bytes = encodeImage(set, p.pneumonia ? sick++ : normal++, p.format);
    await mkdir(dirname(join(root, p.path)), { recursive: true });
    await writeFile(join(root, p.path), bytes);
  }
}

async function put(path: string, contents: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, contents);
}

const hex = (i: number, width: number): string =>
  ((i * 2654435761) >>> 0).toString(16).padStart(8, '0').slice(0, width);

/** RSNA: one row per box (a positive image repeats), Target 0/1; the patient id is the image's name. */
export async function writeRsna(root: string): Promise<LabelDataset> {
  const data = join(root, 'rsna');
  const ids = Array.from(
    { length: 14 },
    (_, i) => `${hex(i + 1, 8)}-${hex(i + 7, 4)}-4e49-80ba-${hex(i + 3, 8)}${hex(i + 5, 4)}`,
  );
  const rows = ['patientId,x,y,width,height,Target'];
  const classOf = new Map<string, string>();
  const patientOf = new Map<string, string>();
  const planned: Planned[] = [];
  ids.forEach((id, i) => {
    const path = `stage_2_train_images/${id}.png`;
    const positive = i % 2 === 0;
    planned.push({ path, pneumonia: positive, format: 'png' });
    if (i === 12) {
      rows.push(`${id},,,,,0`, `${id},264.0,152.0,213.0,379.0,1`); // one image, two labels: a conflict
      return;
    }
    if (i === 13) return; // an image with no row
    if (positive) rows.push(`${id},264.0,152.0,213.0,379.0,1`, `${id},562.0,152.0,256.0,453.0,1`);
    else rows.push(`${id},,,,,0`);
    classOf.set(path, positive ? 'PNEUMONIA' : 'NORMAL');
    patientOf.set(path, id);
  });
  rows.push('ffffffff-0000-4e49-80ba-000000000000,,,,,0'); // a row whose image is not here
  await writeImages(data, planned, 11);
  await put(join(data, 'stage_2_train_labels.csv'), `${rows.join('\n')}\n`);
  return {
    data,
    flags: [
      '--labels',
      join(data, 'stage_2_train_labels.csv'),
      '--image-column',
      'patientId',
      '--label-column',
      'Target',
      '--patient-column',
      'patientId',
      '--classes',
      '0=NORMAL,1=PNEUMONIA',
    ],
    classNames: ['NORMAL', 'PNEUMONIA'],
    classOf,
    patientOf,
    test: [],
    val: [],
    dropped: { noImage: 1, ambiguousImage: 0, noClass: 0, twoClasses: 0 },
    skipped: {
      [`stage_2_train_images/${ids[12]}.png`]: 'label conflict',
      [`stage_2_train_images/${ids[13]}.png`]: 'not in the label table',
    },
  };
}

/** NIH ChestX-ray14: `Image Index`, pipe-separated `Finding Labels`, `Patient ID`, a bracketed header; test_list.txt. */
export async function writeNih(root: string): Promise<LabelDataset> {
  const data = join(root, 'nih');
  const header =
    'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],';
  // [patient, findings of each follow-up]; patients 4 and 8 form the official test list.
  const patients: [number, string[]][] = [
    [1, ['No Finding', 'Effusion|Pneumonia']],
    [2, ['No Finding', 'No Finding']],
    [3, ['Pneumonia', 'Effusion']],
    [4, ['No Finding', 'Pneumonia']],
    [5, ['Infiltration|Pneumonia']],
    [6, ['No Finding', 'Atelectasis|No Finding']],
    [7, ['Pneumonia', 'Pneumonia', 'No Finding']],
    [8, ['Pneumonia|No Finding', 'No Finding', 'Pneumonia']],
    [9, ['No Finding']],
    [10, ['Pneumonia']],
  ];
  const rows = [header];
  const classOf = new Map<string, string>();
  const patientOf = new Map<string, string>();
  const planned: Planned[] = [];
  const test: string[] = [];
  const testList: string[] = [];
  const trainVal: string[] = [];
  let noClass = 0;
  let twoClasses = 0;
  for (const [patient, findings] of patients) {
    findings.forEach((finding, followUp) => {
      const name = `${String(patient).padStart(8, '0')}_${String(followUp).padStart(3, '0')}.png`;
      const path = `images/${name}`;
      const values = finding.split('|');
      const pneumonia = values.includes('Pneumonia');
      const normal = values.includes('No Finding');
      planned.push({ path, pneumonia, format: 'png' });
      rows.push(
        `${name},${finding},${followUp},${patient},${40 + patient},${patient % 2 ? 'M' : 'F'},PA,2682,2749,0.143,0.143,`,
      );
      (patient === 4 || patient === 8 ? testList : trainVal).push(name);
      if (pneumonia && normal) return void twoClasses++;
      if (!pneumonia && !normal) return void noClass++;
      classOf.set(path, pneumonia ? 'PNEUMONIA' : 'NORMAL');
      patientOf.set(path, `nih-${patient}`);
      if (patient === 4 || patient === 8) test.push(path);
    });
  }
  await writeImages(data, planned, 12);
  await put(join(data, 'Data_Entry_2017.csv'), `${rows.join('\n')}\n`);
  await put(join(data, 'test_list.txt'), `${testList.join('\n')}\n`);
  await put(join(data, 'train_val_list.txt'), `${trainVal.join('\n')}\n`);
  return {
    data,
    flags: [
      '--labels',
      join(data, 'Data_Entry_2017.csv'),
      '--image-column',
      'Image Index',
      '--label-column',
      'Finding Labels',
      '--patient-column',
      'Patient ID',
      '--classes',
      'No Finding=NORMAL,Pneumonia=PNEUMONIA',
      '--test-list',
      join(data, 'test_list.txt'),
    ],
    classNames: ['NORMAL', 'PNEUMONIA'],
    classOf,
    patientOf,
    test,
    val: [],
    dropped: { noImage: 0, ambiguousImage: 0, noClass, twoClasses },
    skipped: {},
  };
}

/** CheXpert: `Path` with the download's top folder, label columns valued 1.0 / 0.0 / -1.0 / blank, patient folders. */
export async function writeChexpert(root: string): Promise<LabelDataset> {
  const top = join(root, 'chexpert');
  const data = join(top, 'CheXpert-v1.0-small');
  const columns =
    'Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,Fracture,Support Devices';
  const pneumoniaAt = columns.split(',').indexOf('Pneumonia');
  const values = [
    '1.0',
    '0.0',
    '0.0',
    '1.0',
    '-1.0',
    '',
    '1.0',
    '0.0',
    '0.0',
    '1.0',
    '1.0',
    '0.0',
    '',
    '0.0',
    '1.0',
    '0.0',
  ];
  const rows = [columns];
  const classOf = new Map<string, string>();
  const patientOf = new Map<string, string>();
  const planned: Planned[] = [];
  let noClass = 0;
  values.forEach((value, i) => {
    const patient = `patient${String(1 + Math.floor(i / 3)).padStart(5, '0')}`;
    const rel = `train/${patient}/study${1 + (i % 3)}/view1_frontal.jpg`;
    planned.push({ path: rel, pneumonia: value === '1.0', format: 'jpeg' });
    const cells = columns.split(',').map(() => '');
    cells[0] = `CheXpert-v1.0-small/${rel}`;
    cells.splice(1, 4, i % 2 ? 'Male' : 'Female', String(50 + i), 'Frontal', 'AP');
    cells[pneumoniaAt] = value;
    rows.push(cells.join(','));
    if (value !== '1.0' && value !== '0.0') return void noClass++;
    classOf.set(rel, value === '1.0' ? 'PNEUMONIA' : 'NORMAL');
    patientOf.set(rel, patient);
  });
  await writeImages(data, planned, 13);
  await put(join(data, 'train.csv'), `${rows.join('\n')}\n`);
  return {
    data,
    flags: [
      '--labels',
      join(data, 'train.csv'),
      '--image-column',
      'Path',
      '--label-column',
      'Pneumonia',
      '--classes',
      '1.0=PNEUMONIA,0.0=NORMAL',
    ],
    classNames: ['NORMAL', 'PNEUMONIA'],
    classOf,
    patientOf,
    test: [],
    val: [],
    dropped: { noImage: 0, ambiguousImage: 0, noClass, twoClasses: 0 },
    skipped: {},
  };
}

/**
 * MIMIC-CXR-JPG, as the lab reads it: one table per image, pre-joined from `mimic-cxr-2.0.0-chexpert.csv.gz`
 * (labels per study) and `mimic-cxr-2.0.0-split.csv.gz` (dicom_id → split) on study_id, gzip-compressed.
 */
export async function writeMimic(root: string): Promise<LabelDataset> {
  const data = join(root, 'mimic');
  const rows = ['dicom_id,subject_id,study_id,split,Pneumonia,No Finding'];
  const classOf = new Map<string, string>();
  const patientOf = new Map<string, string>();
  const planned: Planned[] = [];
  const test: string[] = [];
  const val: string[] = [];
  for (let s = 0; s < 9; s++) {
    const subject = 10000032 + s;
    const study = 50414267 + s * 11;
    const split = s < 5 ? 'train' : s < 7 ? 'validate' : 'test';
    const pneumonia = s % 2 === 0;
    for (let v = 0; v < 2; v++) {
      const dicom = `${hex(s * 2 + v + 1, 8)}-${hex(s + 40, 8)}`;
      const path = `files/p${String(subject).slice(0, 2)}/p${subject}/s${study}/${dicom}.jpg`;
      planned.push({ path, pneumonia, format: 'jpeg' });
      rows.push(`${dicom},${subject},${study},${split},${pneumonia ? '1.0' : ''},${pneumonia ? '' : '1.0'}`);
      classOf.set(path, pneumonia ? 'PNEUMONIA' : 'NORMAL');
      patientOf.set(path, String(subject));
      if (split === 'test') test.push(path);
      if (split === 'validate') val.push(path);
    }
  }
  await writeImages(data, planned, 14);
  const table = join(root, 'mimic-cxr-2.0.0-pneumonia.csv.gz');
  await put(table, gzipSync(`${rows.join('\n')}\n`));
  return {
    data,
    flags: [
      '--labels',
      table,
      '--image-column',
      'dicom_id',
      '--label-column',
      'Pneumonia',
      '--patient-column',
      'subject_id',
      '--split-column',
      'split',
      '--classes',
      '1.0=PNEUMONIA,=NORMAL',
    ],
    classNames: ['NORMAL', 'PNEUMONIA'],
    classOf,
    patientOf,
    test,
    val,
    dropped: { noImage: 0, ambiguousImage: 0, noClass: 0, twoClasses: 0 },
    skipped: {},
  };
}

/** COVIDx: `train.txt` / `test.txt`, space-separated, no header: `patient_id filename label source`. */
export async function writeCovidx(root: string): Promise<LabelDataset> {
  const data = join(root, 'covidx');
  const classOf = new Map<string, string>();
  const patientOf = new Map<string, string>();
  const planned: Planned[] = [];
  const test: string[] = [];
  const lines: Record<'train' | 'test', string[]> = { train: [], test: [] };
  for (let i = 0; i < 18; i++) {
    const split = i >= 14 ? 'test' : 'train';
    const patient = String(100 + Math.floor(i / 2));
    const positive = Math.floor(i / 2) % 2 === 0;
    const name = `${positive ? 'covid' : 'normal'}-${hex(i + 9, 6)}.png`;
    const path = `${split}/${name}`;
    planned.push({ path, pneumonia: positive, format: 'png' });
    lines[split].push(`${patient} ${name} ${positive ? 'positive' : 'negative'} ${i % 3 ? 'rsna' : 'bimcv'}`);
    classOf.set(path, positive ? 'positive' : 'negative');
    patientOf.set(path, patient);
    if (split === 'test') test.push(path);
  }
  await writeImages(data, planned, 15);
  await put(join(root, 'covidx-train.txt'), `${lines.train.join('\n')}\n`);
  await put(join(root, 'covidx-test.txt'), `${lines.test.join('\n')}\n`);
  return {
    data,
    flags: [
      '--labels',
      join(root, 'covidx-train.txt'),
      '--labels',
      join(root, 'covidx-test.txt'),
      '--test-list',
      join(root, 'covidx-test.txt'),
      '--image-column',
      '2',
      '--label-column',
      '3',
      '--patient-column',
      '1',
    ],
    classNames: ['negative', 'positive'],
    classOf,
    patientOf,
    test,
    val: [],
    dropped: { noImage: 0, ambiguousImage: 0, noClass: 0, twoClasses: 0 },
    skipped: {},
  };
}
