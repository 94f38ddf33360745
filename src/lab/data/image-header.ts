import { isDicom, parseDicom } from './dicom/read-dicom';
import { DataError } from './errors';
import { extensionOf } from './file-kinds';
import { decodeSizeProblem } from './limits';

/**
 * What an image file says about itself before any pixel is decoded: format, size, bit depth, channels. Read from the
 * first bytes (JPEG frame header, PNG IHDR, a DICOM data set) and checked for an end marker or the pixel data's
 * length, so a scan can report empty, mislabelled and cut-off files without decoding, and the browser decoder can
 * name them before the browser's opaque failure.
 */
export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Bits per sample (8, or 12 for rare JPEGs; 1–16 for PNG; DICOM: bits stored). */
  readonly bitDepth: number;
  /** 1 grey, 2 grey+alpha, 3 colour (palette included), 4 colour+alpha; JPEG: its component count. */
  readonly channels: number;
  /** DICOM only: a one-way key of its Patient ID, for patient-level splits (never the id). */
  readonly patientKey?: string;
}

/** Which decoder the first bytes call for. */
export type ImageFormat = 'jpeg' | 'png' | 'dicom';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
/** How far from the end an end marker may sit (some writers pad files). */
const TAIL = 1024;

/** The format announced by the file's first bytes (its magic number), or null. The extension is not trusted. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'png';
  if (isDicom(bytes)) return 'dicom';
  return null;
}

/**
 * Reads the header of a JPEG, PNG or DICOM file. Throws a DataError naming `path` for an empty file, a file that is
 * none of them whatever its name, a broken header, a file cut short (no end marker), an image over the decode limit
 * (limits.ts), or a DICOM the lab does not show (see parseDicom). Every decoder calls it first, so a scan, Node and
 * the page refuse the same files in the same words.
 */
export function readImageHeader(bytes: Uint8Array, path: string): ImageHeader {
  if (bytes.length === 0) throw new DataError(path, 'empty file (0 bytes)');
  const format = sniffFormat(bytes);
  if (format === null) throw new DataError(path, `${notAnImage(path)} (${describeStart(bytes)})`);
  if (format === 'dicom') return dicomHeader(bytes, path);
  const header = format === 'jpeg' ? jpegHeader(bytes) : pngHeader(bytes);
  const kind = format === 'jpeg' ? 'JPEG' : 'PNG';
  if (typeof header === 'string') throw new DataError(path, `corrupt or truncated ${kind} (${header})`);
  if (header.width < 1 || header.height < 1)
    throw new DataError(path, `corrupt ${kind} (size ${header.width}×${header.height})`);
  const tooLarge = decodeSizeProblem(header.width, header.height);
  if (tooLarge) throw new DataError(path, tooLarge);
  return header;
}

/** What a file that is no image is called: by what its name promised (a `.dcm` that is not DICOM, …). */
function notAnImage(path: string): string {
  const ext = extensionOf(path);
  if (ext === '.dcm' || ext === '.dicom') return 'not a DICOM file (no "DICM" after its 128-byte preamble)';
  if (ext === '.jpg' || ext === '.jpeg' || ext === '.png') return 'not a JPEG or PNG image';
  return 'not a JPEG, PNG or DICOM image';
}

/** A DICOM file's header, parsed whole (the pixel data is not decoded). */
function dicomHeader(bytes: Uint8Array, path: string): ImageHeader {
  const { header } = parseDicom(bytes, path);
  return {
    format: 'dicom',
    width: header.columns,
    height: header.rows,
    bitDepth: header.bitsStored,
    channels: 1,
    ...(header.patientKey ? { patientKey: header.patientKey } : {}),
  };
}

/** The JPEG frame header (SOFn) after walking the marker segments, or why it cannot be read. */
function jpegHeader(b: Uint8Array): ImageHeader | string {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return `no marker at byte ${at}`;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Stand-alone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = (b[at + 2] << 8) | b[at + 3];
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 10 > b.length) break;
      if (!hasEnd(b, [0xff, 0xd9])) return 'no end-of-image marker';
      return {
        format: 'jpeg',
        bitDepth: b[at + 4],
        height: (b[at + 5] << 8) | b[at + 6],
        width: (b[at + 7] << 8) | b[at + 8],
        channels: b[at + 9],
      };
    }
    if (marker === 0xda || marker === 0xd9) return 'no frame header before the image data';
    at += 2 + length;
  }
  return 'the file ends inside its header';
}

/** The PNG IHDR chunk, or why it cannot be read. */
function pngHeader(b: Uint8Array): ImageHeader | string {
  if (b.length < 33) return 'the file ends inside its header';
  const isIhdr = b[12] === 0x49 && b[13] === 0x48 && b[14] === 0x44 && b[15] === 0x52;
  if (!isIhdr) return 'no IHDR chunk first';
  const u32 = (i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  const colorType = b[25];
  const channels = PNG_CHANNELS[colorType];
  if (channels === undefined) return `unknown colour type ${colorType}`;
  if (!hasEnd(b, [0x49, 0x45, 0x4e, 0x44])) return 'no IEND chunk';
  return { format: 'png', width: u32(16), height: u32(20), bitDepth: b[24], channels };
}

/** True when `marker` occurs within the last TAIL bytes. */
function hasEnd(b: Uint8Array, marker: readonly number[]): boolean {
  for (let i = b.length - marker.length; i >= Math.max(0, b.length - TAIL); i--) {
    let k = 0;
    while (k < marker.length && b[i + k] === marker[k]) k++;
    if (k === marker.length) return true;
  }
  return false;
}

/** The first bytes as a hint: quoted text when printable, else hex. */
export function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 12);
  const printable = Array.from(head).every((b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d);
  if (printable)
    return `starts with text "${String.fromCharCode(...head)
      .replace(/\s+/g, ' ')
      .trim()}"`;
  return `starts with bytes ${Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}
