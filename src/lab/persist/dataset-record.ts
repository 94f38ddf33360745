/**
 * The decoded dataset as the lab keeps it in the browser between visits: its uint8 pixels (written in chunks), labels,
 * file names, split assignment, summary and identity. A restored record rebuilds the worker's dataset without asking
 * for the folder again. Only data that fits the user's budget (and the browser's free quota) is kept; otherwise
 * just its fingerprint, which the experiment card already holds.
 */
import type { DataIdentity } from '../data/data-identity';
import type { SplitName } from '../data/layout';
import type { DatasetSummary } from '../data/summary';

/** The default budget for the stored dataset: 500 MB. */
export const DEFAULT_DATASET_BUDGET = 500 * 1e6;
/** Pixels are stored in chunks of this many bytes, so no single write (or structured clone) is huge. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

/** Where the stored images came from: the demo generator (settings), or a picked folder/zip decoded with `limit`. */
export type StoredOrigin = { kind: 'demo'; perClass: number; seed: number } | { kind: 'picked'; limit: number };

/** Everything but the pixels (those are in `chunks` entries of CHUNK_BYTES). */
export interface StoredDatasetMeta {
  version: 1;
  origin: StoredOrigin;
  size: number;
  channels: 1 | 3;
  count: number;
  classNames: string[];
  files: string[];
  labels: Int32Array;
  /** Split of each image, in store order (train | val | test blocks). */
  assignment: SplitName[];
  split: { valFraction: number; testFraction: number; seed: number; keepOfficialVal: boolean };
  presets: [string, SplitName][];
  /** A label table's patient key per file (salted hashes, never the ids), so a re-split keeps patients together. */
  patients?: [string, string][];
  duplicateGroups: string[][];
  summary: DatasetSummary;
  identity: DataIdentity;
  pixelBytes: number;
  chunks: number;
  savedAt: string;
}

export interface StoredDataset {
  meta: StoredDatasetMeta;
  pixels: Uint8Array;
}

/** Bytes the record takes in the store: the pixels and labels, plus file names and summary (roughly, as JSON). */
export function storedBytes(meta: Omit<StoredDatasetMeta, 'chunks' | 'savedAt' | 'version'>): number {
  return (
    meta.pixelBytes +
    meta.labels.byteLength +
    meta.assignment.length * 6 +
    meta.files.reduce((n, f) => n + f.length + 3, 0) +
    JSON.stringify(meta.summary).length +
    JSON.stringify(meta.identity).length
  );
}

const SPLITS: readonly string[] = ['train', 'val', 'test'];
const isSplit = (v: unknown) => typeof v === 'string' && SPLITS.includes(v);

/** Why a stored meta record's origin cannot be used, or null. */
function originProblem(o: unknown): string | null {
  const origin = o as Partial<StoredOrigin> | null;
  if (origin?.kind === 'demo')
    return Number.isInteger(origin.perClass) && Number.isInteger(origin.seed) ? null : 'bad demo settings';
  if (origin?.kind === 'picked') return Number.isInteger(origin.limit) && origin.limit! >= 0 ? null : 'bad image limit';
  return 'unknown origin';
}

/**
 * Why a stored meta record cannot be used, or null when it is whole: everything the worker rebuilds a dataset from
 * is checked here (a project file brings records from outside), so a record that passes never trains on a label
 * outside its classes or drops an image from every split.
 */
export function storedMetaProblem(meta: unknown): string | null {
  const m = meta as Partial<StoredDatasetMeta> | null;
  if (m == null || typeof m !== 'object') return 'no record';
  if (m.version !== 1) return `unknown version ${String(m.version)}`;
  if (!Number.isInteger(m.size) || m.size! <= 0 || (m.channels !== 1 && m.channels !== 3)) return 'bad image format';
  if (!Number.isInteger(m.count) || m.count! < 0) return 'bad image count';
  const origin = originProblem(m.origin);
  if (origin) return origin;
  if (!Array.isArray(m.classNames) || m.classNames.length < 2 || !m.classNames.every((c) => typeof c === 'string'))
    return 'class names are not a list of names';
  if (!(m.labels instanceof Int32Array) || m.labels.length !== m.count) return 'labels do not match the image count';
  const classes = m.classNames.length;
  if (m.labels.some((l) => l < 0 || l >= classes)) return `a label is outside the ${classes} classes`;
  if (!Array.isArray(m.files) || m.files.length !== m.count || !m.files.every((f) => typeof f === 'string'))
    return 'file names do not match the image count';
  if (!Array.isArray(m.assignment) || m.assignment.length !== m.count) return 'split does not match the image count';
  if (!m.assignment.every(isSplit)) return 'the split names a set other than train, val or test';
  const sp = m.split as Partial<StoredDatasetMeta['split']> | undefined;
  if (
    sp == null ||
    typeof sp.valFraction !== 'number' ||
    typeof sp.testFraction !== 'number' ||
    !Number.isInteger(sp.seed) ||
    typeof sp.keepOfficialVal !== 'boolean'
  ) {
    return 'the split settings are missing';
  }
  if (
    !Array.isArray(m.presets) ||
    !m.presets.every((p) => Array.isArray(p) && typeof p[0] === 'string' && isSplit(p[1]))
  )
    return 'the preset splits are damaged';
  if (
    m.patients !== undefined &&
    (!Array.isArray(m.patients) ||
      !m.patients.every((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string'))
  ) {
    return 'the patient keys are damaged';
  }
  if (
    !Array.isArray(m.duplicateGroups) ||
    !m.duplicateGroups.every((g) => Array.isArray(g) && g.every((f) => typeof f === 'string'))
  ) {
    return 'the duplicate groups are damaged';
  }
  if (m.pixelBytes !== m.count * m.size! * m.size! * m.channels) return 'pixel size does not match the image format';
  if (m.chunks !== Math.ceil(m.pixelBytes / CHUNK_BYTES)) return 'chunk count does not match the pixel size';
  if (m.summary == null || m.identity == null || typeof m.identity.fingerprint !== 'string')
    return 'no summary or identity';
  return null;
}

/** Bytes as "21.4 MB" for messages. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
