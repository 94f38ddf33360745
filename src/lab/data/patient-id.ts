import { baseName } from './file-kinds';

/**
 * Patient identifiers read from Kermany et al.'s file names, so that a validation split never holds another X-ray of
 * a training patient (several images per patient exist; splitting by image would leak).
 *
 * - `person1234_bacteria_5678.jpeg`, `person1234_virus_99.jpeg` → `person1234`
 * - `IM-0115-0001.jpeg`, `IM-0429-0001-0002.jpeg` → `IM-0115`
 * - `NORMAL2-IM-1234-0001.jpeg` → `NORMAL2-IM-1234`
 */
const PATTERNS: readonly RegExp[] = [/^(person\d+)_(?:bacteria|virus)_/i, /^(NORMAL\d*-IM-\d+)-\d+/i, /^(IM-\d+)-\d+/i];

/**
 * Patient folders of datasets that file each patient's studies in a folder: CheXpert's `patient00001/study1/…`,
 * MIMIC-CXR's `p10/p10000032/s50414267/…`.
 */
const FOLDER_PATTERNS: readonly RegExp[] = [/^patient\d+$/i, /^p\d{8}$/];

/**
 * The patient a file belongs to. Any name that follows none of the Kermany patterns, in no patient folder, is its own
 * patient: the path itself is returned, so unknown datasets split image by image rather than being lumped together.
 */
export function patientId(path: string): string {
  const name = baseName(path);
  for (const pattern of PATTERNS) {
    const match = pattern.exec(name);
    if (match) return match[1];
  }
  const folders = path.split('/').slice(0, -1);
  for (let i = folders.length - 1; i >= 0; i--) {
    if (FOLDER_PATTERNS.some((p) => p.test(folders[i]))) return folders[i];
  }
  return path;
}

/** Number of distinct patients among `paths`. */
export function countPatients(paths: readonly string[]): number {
  return new Set(paths.map(patientId)).size;
}
