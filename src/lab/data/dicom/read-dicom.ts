/**
 * Reads a DICOM Part 10 file's data set (dicom-parser; a deflated one inflated with fflate) and keeps only what
 * decoding and splitting need: the image's geometry and bit layout, its display set-up (rescale, LUTs, window,
 * padding) and a one-way key of the patient id. No name, date, institution or other header value leaves this file:
 * what the rest of the lab never holds, it cannot write.
 */
import { inflateSync } from 'fflate';
import { DataError } from '../errors';
import { decodeSizeProblem } from '../limits';
import { Fingerprint } from '../../util/fingerprint';
import { dicomParser, type DataSet, type Element } from './dicom-parser-module';
import { TRANSFER_SYNTAXES, transferSyntaxOf, type TransferSyntax } from './transfer-syntax';

/** A lookup table of the Modality LUT or VOI LUT Sequence. */
export interface LookupTable {
  /** The stored (or modality) value mapped by data[0]. */
  readonly firstMapped: number;
  /** Bits of each entry, from the descriptor. */
  readonly bits: number;
  readonly data: Uint16Array;
}

export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** What the lab keeps of a DICOM header: the image and its display, never who or where it is from. */
export interface DicomHeader {
  readonly transferSyntax: TransferSyntax;
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  /** PixelRepresentation 1: two's complement samples. */
  readonly signed: boolean;
  readonly photometric: 'MONOCHROME1' | 'MONOCHROME2';
  /** Pixel Padding Value and, when given, Pixel Padding Range Limit: stored values that are no part of the image. */
  readonly padding: { readonly value: number; readonly limit: number | null } | null;
  /** Modality LUT: its sequence when present, else Rescale Slope / Intercept (identity when neither). */
  readonly modalityLut: LookupTable | null;
  readonly rescale: { readonly slope: number; readonly intercept: number };
  /** VOI: the first VOI LUT of its sequence, else the first window (null: the lab computes one). */
  readonly voiLut: LookupTable | null;
  readonly window: { readonly center: number; readonly width: number; readonly fn: VoiFunction } | null;
  /** A one-way key of Patient ID (0010,0020), or null when the file has none. */
  readonly patientKey: string | null;
}

/** A header and the parsed data set it came from (the pixel data is read from the latter). */
export interface ParsedDicom {
  readonly header: DicomHeader;
  readonly dataSet: DataSet;
  readonly pixelData: Element;
}

const PREAMBLE = 128;

/** True when the bytes start with a Part 10 preamble: 128 bytes, then `DICM`. */
export function isDicom(bytes: Uint8Array): boolean {
  return (
    bytes.length >= PREAMBLE + 4 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d
  );
}

/** A fixed salt for patient keys: keys are compared, never reversed; the pipeline salts them again per dataset. */
const PATIENT_SALT = 'xray-lab DICOM patient\n';

/**
 * Parses a Part 10 file and checks that the lab can show it. Throws a DataError naming `path` for a truncated or
 * corrupt file, a transfer syntax the lab does not read, and (one line each) multi-frame, colour, FOR PROCESSING
 * and non-image files.
 */
export function parseDicom(bytes: Uint8Array, path: string): ParsedDicom {
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, { inflater: inflateDataSet });
  } catch (err) {
    throw new DataError(path, cutShort(bytes) ?? `corrupt or truncated DICOM (${parserProblem(err)})`);
  }
  const uid = dataSet.string('x00020010');
  if (!uid) throw new DataError(path, 'corrupt DICOM (its file meta information names no transfer syntax)');
  const transferSyntax = transferSyntaxOf(uid);
  if (!transferSyntax) {
    const known = [...new Set(TRANSFER_SYNTAXES.map((s) => s.name.replace(/ \(.*| Lossless.*| Near.*/g, '')))].join(
      ', ',
    );
    throw new DataError(path, `DICOM transfer syntax ${uid} is not read (the lab reads ${known})`);
  }
  const pixelData = dataSet.elements.x7fe00010;
  if (!pixelData)
    throw new DataError(path, 'DICOM without pixel data (not an image: a report, a DICOMDIR or a series index)');

  const samples = dataSet.uint16('x00280002') ?? 1;
  const photometric = (dataSet.string('x00280004') ?? '').trim().toUpperCase();
  if (samples !== 1 || (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2')) {
    const what = photometric || `${samples} samples a pixel`;
    throw new DataError(path, `colour DICOM (${what}): only greyscale images (MONOCHROME1, MONOCHROME2) are read`);
  }
  const frames = dataSet.intString('x00280008') ?? 1;
  if (frames > 1) throw new DataError(path, `multi-frame DICOM (${frames} frames): only single-frame images are read`);
  const intent = (dataSet.string('x00080068') ?? '').trim().toUpperCase();
  if (intent === 'FOR PROCESSING') {
    throw new DataError(
      path,
      'DICOM "FOR PROCESSING" image (raw detector data, not meant for display): ' +
        'only "FOR PRESENTATION" images are read',
    );
  }

  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  if (rows < 1 || columns < 1) throw new DataError(path, `corrupt DICOM (size ${columns}×${rows})`);
  const tooLarge = decodeSizeProblem(columns, rows);
  if (tooLarge) throw new DataError(path, tooLarge);
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new DataError(path, `DICOM with ${bitsAllocated} bits allocated a pixel: only 8, 16 or 32 are read`);
  }
  const bitsStored = clampBits(dataSet.uint16('x00280101') ?? bitsAllocated, bitsAllocated);
  const highBit = Math.min(bitsAllocated - 1, Math.max(bitsStored - 1, dataSet.uint16('x00280102') ?? bitsStored - 1));
  if (transferSyntax.pixels === 'jpeg-extended' && bitsStored > 8) {
    throw new DataError(
      path,
      `${transferSyntax.name} with ${bitsStored}-bit samples: the lab's JPEG decoder reads 8 bits only`,
    );
  }
  const signed = (dataSet.uint16('x00280103') ?? 0) === 1;
  checkPixelLength(path, transferSyntax, pixelData, rows * columns * (bitsAllocated / 8), dataSet.byteArray.length);

  const header: DicomHeader = {
    transferSyntax,
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    highBit,
    signed,
    photometric,
    padding: paddingOf(dataSet, signed),
    modalityLut: lutOf(dataSet, 'x00283000', signed),
    rescale: {
      slope: finiteOr(dataSet.floatString('x00281053'), 1) || 1,
      intercept: finiteOr(dataSet.floatString('x00281052'), 0),
    },
    voiLut: lutOf(dataSet, 'x00283010', false),
    window: windowOf(dataSet),
    patientKey: patientKeyOf(dataSet),
  };
  return { header, dataSet, pixelData };
}

/** dicom-parser's inflater hook: the meta information as is, the rest raw-inflated. */
function inflateDataSet(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = inflateSync(bytes.subarray(position));
  const whole = new Uint8Array(position + inflated.length);
  whole.set(bytes.subarray(0, position));
  whole.set(inflated, position);
  return whole;
}

/**
 * When the data set reads well up to the pixel data, the file was cut inside it (the commonest damage: a copy or a
 * download stopped early): say so, with how much of it is there. Null when the damage is elsewhere.
 */
function cutShort(bytes: Uint8Array): string | null {
  try {
    const head = dicomParser.parseDicom(bytes, { inflater: inflateDataSet, untilTag: 'x7fe00010' });
    const pixels = head.elements.x7fe00010;
    if (!pixels) return null;
    const held = Math.max(0, head.byteArray.length - pixels.dataOffset);
    if (pixels.encapsulatedPixelData || pixels.length === 0xffffffff)
      return 'truncated DICOM (the file ends inside its compressed pixel data)';
    return `truncated DICOM (the file ends inside its pixel data: ${held} of ${pixels.length} bytes)`;
  } catch {
    return null;
  }
}

/** dicom-parser's reasons are prefixed with its function names; keep the readable part. */
function parserProblem(err: unknown): string {
  const raw =
    typeof err === 'string'
      ? err
      : err instanceof Error
        ? err.message
        : ((err as { exception?: string })?.exception ?? String(err));
  const text = raw.replace(/^dicomParser\.[A-Za-z]+: ?/, '');
  if (/past end of buffer|buffer overread|beyond the end/i.test(text)) return 'the file ends inside its data';
  return text.split('\n')[0].slice(0, 200);
}

/** A native image whose pixel data is cut short is refused here, so a scan finds it without decoding. */
function checkPixelLength(
  path: string,
  syntax: TransferSyntax,
  pixels: Element,
  needed: number,
  dataLength: number,
): void {
  if (pixels.encapsulatedPixelData) {
    if (!pixels.fragments || pixels.fragments.length === 0)
      throw new DataError(path, 'corrupt or truncated DICOM (no compressed pixel data fragments)');
    return;
  }
  if (syntax.pixels !== 'native')
    throw new DataError(path, `corrupt DICOM (${syntax.name} but its pixel data is not encapsulated)`);
  // A deflated file was inflated whole: the length is that of the inflated data set.
  const held = Math.max(0, Math.min(pixels.length, dataLength - pixels.dataOffset));
  if (held < needed)
    throw new DataError(path, `truncated DICOM (pixel data holds ${held} of the ${needed} bytes its header declares)`);
}

function clampBits(bits: number, allocated: number): number {
  return bits >= 1 && bits <= allocated ? bits : allocated;
}

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

/** Pixel Padding Value (US or SS as the pixels are) and its range limit. */
function paddingOf(ds: DataSet, signed: boolean): DicomHeader['padding'] {
  const read = (tag: string): number | null => {
    const raw = ds.elements[tag] && ds.elements[tag].length >= 2 ? ds.uint16(tag) : undefined;
    if (raw === undefined) return null;
    return signed && raw >= 0x8000 ? raw - 0x10000 : raw;
  };
  const value = read('x00280120');
  return value === null ? null : { value, limit: read('x00280121') };
}

/** The first item's LUT of a Modality or VOI LUT Sequence, or null. */
function lutOf(ds: DataSet, sequence: string, signedFirst: boolean): LookupTable | null {
  const item = ds.elements[sequence]?.items?.[0]?.dataSet;
  if (!item) return null;
  const descriptor = item.elements.x00283002;
  const lutData = item.elements.x00283006;
  if (!descriptor || !lutData || descriptor.length < 6) return null;
  const entries = item.uint16('x00283002', 0) || 65536;
  let first = item.uint16('x00283002', 1) ?? 0;
  if (signedFirst && first >= 0x8000) first -= 0x10000;
  const bits = item.uint16('x00283002', 2) ?? 16;
  const data = new Uint16Array(entries);
  // LUT Data holds 16 bits an entry; a few writers pack 8-bit entries one a byte.
  const packed = lutData.length === entries && bits <= 8;
  for (let i = 0; i < entries; i++) {
    data[i] = packed ? item.byteArray[lutData.dataOffset + i] : (item.uint16('x00283006', i) ?? 0);
  }
  return { firstMapped: first, bits: bits >= 1 && bits <= 16 ? bits : 16, data };
}

/** The first Window Center / Width, with its VOI LUT Function; null when absent or unusable. */
function windowOf(ds: DataSet): DicomHeader['window'] {
  const center = ds.floatString('x00281050', 0);
  const width = ds.floatString('x00281051', 0);
  if (center === undefined || width === undefined || !Number.isFinite(center) || !Number.isFinite(width)) return null;
  const name = (ds.string('x00281056') ?? 'LINEAR').trim().toUpperCase();
  const fn: VoiFunction = name === 'SIGMOID' ? 'SIGMOID' : name === 'LINEAR_EXACT' ? 'LINEAR_EXACT' : 'LINEAR';
  // LINEAR needs a width of at least 1; the others any positive width.
  if (fn === 'LINEAR' ? width < 1 : width <= 0) return null;
  return { center, width, fn };
}

/** A one-way key of Patient ID, or null when blank. */
function patientKeyOf(ds: DataSet): string | null {
  const id = ds.string('x00100020')?.trim();
  if (!id) return null;
  return `dicom:${new Fingerprint().update(PATIENT_SALT + id).digest()}`;
}
