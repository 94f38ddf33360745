/**
 * Folders of generated DICOMs shaped like the datasets the lab meets: class folders of mixed transfer syntaxes and
 * file names (with `.dcm`, without an extension, a UID as the name), several images per patient, and an RSNA-shaped
 * flat folder of `<patientId>.dcm` with its label table. Every file carries planted "PHI" that no output may hold.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testPattern, writeDicom, type FixtureSyntax } from './dicom-files';

/** The planted header values: names, dates, ids and places no file the lab writes may contain. */
export const PLANTED = {
  name: 'Plantedsurname^Plantedgiven',
  birthDate: '19230417',
  institution: 'Planted Memorial Hospital',
  accession: 'ACCPLANTED9931',
  idPrefix: 'PLANTEDPID',
} as const;

const SYNTAXES: FixtureSyntax[] = [
  'explicit-le',
  'jpeg-ls',
  'rle',
  'deflate',
  'implicit-le',
  'jpeg-baseline',
  'htj2k',
  'jpeg-2000',
];

export interface DicomClassFolders {
  readonly dir: string;
  /** Relative path → patient id planted in it. */
  readonly patientOf: ReadonlyMap<string, string>;
  readonly patients: number;
}

/**
 * `patients` patients × `perPatient` images, patients alternating between NORMAL and PNEUMONIA (PNEUMONIA's images
 * brighter in the middle, so a model has something to learn), file names that say nothing of the patient.
 */
export async function writeDicomClassFolders(
  dir: string,
  patients = 8,
  perPatient = 3,
  size = 32,
): Promise<DicomClassFolders> {
  const patientOf = new Map<string, string>();
  let n = 0;
  for (let p = 0; p < patients; p++) {
    const className = p % 2 === 0 ? 'NORMAL' : 'PNEUMONIA';
    await mkdir(join(dir, className), { recursive: true });
    const id = `${PLANTED.idPrefix}${String(p).padStart(4, '0')}`;
    for (let k = 0; k < perPatient; k++, n++) {
      const syntax = SYNTAXES[n % SYNTAXES.length];
      const eightBit = syntax === 'jpeg-baseline';
      const values = testPattern(size, size, 40 + p * 5, eightBit ? 220 : 3000 + (className === 'PNEUMONIA' ? 800 : 0));
      const bytes = await writeDicom({
        width: size,
        height: size,
        values,
        syntax,
        bitsAllocated: eightBit ? 8 : 16,
        bitsStored: eightBit ? 8 : 12,
        photometric: n % 5 === 4 ? 'MONOCHROME1' : 'MONOCHROME2',
        ...(n % 3 === 0 ? { window: { center: 1500, width: 3000 } } : {}),
        patient: {
          name: PLANTED.name,
          id,
          birthDate: PLANTED.birthDate,
          institution: PLANTED.institution,
          accession: PLANTED.accession,
        },
      });
      // Three naming styles: `.dcm`, no extension, a UID with numeric "extension".
      const name =
        n % 3 === 0 ? `img${n}.dcm` : n % 3 === 1 ? `IM${String(n).padStart(6, '0')}` : `2.25.${1000 + n}.${n}`;
      const path = `${className}/${name}`;
      await writeFile(join(dir, path), bytes);
      patientOf.set(path, id);
    }
  }
  return { dir, patientOf, patients };
}

export interface RsnaShaped {
  readonly dir: string;
  readonly table: string;
  /** patientId → Target. */
  readonly targets: ReadonlyMap<string, 0 | 1>;
}

/** RSNA's layout: `<patientId>.dcm` (JPEG baseline inside) in one folder, a box table with a row per box. */
export async function writeRsnaShaped(dir: string, count = 12, size = 32): Promise<RsnaShaped> {
  await mkdir(dir, { recursive: true });
  const targets = new Map<string, 0 | 1>();
  const rows = ['patientId,x,y,width,height,Target'];
  for (let i = 0; i < count; i++) {
    const patientId = `${(0x1a2b3c + i * 7919).toString(16)}-${i}c4e-4d2f-9a1b-${(0x5e6f + i).toString(16)}d0`;
    const target = (i % 2) as 0 | 1;
    targets.set(patientId, target);
    const values = testPattern(size, size, 20, 200 + target * 40);
    const bytes = await writeDicom({
      width: size,
      height: size,
      values,
      bitsAllocated: 8,
      syntax: 'jpeg-baseline',
      patient: { id: patientId, name: PLANTED.name },
    });
    await writeFile(join(dir, `${patientId}.dcm`), bytes);
    if (target === 1) rows.push(`${patientId},100,150,200,220,1`, `${patientId},500,160,180,240,1`);
    else rows.push(`${patientId},,,,,0`);
  }
  const table = join(dir, '..', 'stage_2_train_labels.csv');
  await writeFile(table, rows.join('\n') + '\n');
  return { dir, table, targets };
}
