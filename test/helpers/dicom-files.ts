/**
 * DICOM fixtures written in code: dcmjs writes the data set, the codec packages' own encoders (CharLS, OpenJPEG,
 * OpenJPH, libjpeg-turbo) compress the pixels, fflate deflates a data set and a small PackBits writer makes RLE.
 * The other syntaxes (JPEG lossless, JPEG extended) come from dcmtk's compressors in the tests that need dcmtk.
 * No real patient data: the images are drawn here, and the "patient" is whatever a test plants.
 */
import { createRequire } from 'node:module';
import { deflateRawSync } from 'node:zlib';
import dcmjs from 'dcmjs';

const require = createRequire(import.meta.url);
const { DicomDict, DicomMetaDictionary } = dcmjs.data;

/** The fixture syntaxes this file can write without dcmtk. */
export type FixtureSyntax =
  | 'explicit-le'
  | 'implicit-le'
  | 'explicit-be'
  | 'deflate'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-ls'
  | 'jpeg-2000'
  | 'htj2k';

export const SYNTAX_UID: Record<FixtureSyntax, string> = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'implicit-le': '1.2.840.10008.1.2',
  'explicit-be': '1.2.840.10008.1.2.2',
  deflate: '1.2.840.10008.1.2.1.99',
  rle: '1.2.840.10008.1.2.5',
  'jpeg-baseline': '1.2.840.10008.1.2.4.50',
  'jpeg-ls': '1.2.840.10008.1.2.4.80',
  'jpeg-2000': '1.2.840.10008.1.2.4.90',
  htj2k: '1.2.840.10008.1.2.4.201',
};

export interface DicomSpec {
  readonly width: number;
  readonly height: number;
  /** Stored values, row-major (signed values when `signed`). */
  readonly values: ArrayLike<number>;
  readonly bitsAllocated?: 8 | 16;
  /** Default: bitsAllocated. */
  readonly bitsStored?: number;
  /** Default bitsStored − 1. */
  readonly highBit?: number;
  readonly signed?: boolean;
  readonly photometric?: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  readonly syntax?: FixtureSyntax;
  readonly rescale?: { slope: number; intercept: number };
  readonly window?: { center: number; width: number; fn?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID' };
  readonly voiLut?: { firstMapped: number; bits: number; data: readonly number[] };
  readonly modalityLut?: { firstMapped: number; bits: number; data: readonly number[] };
  readonly padding?: number;
  readonly frames?: number;
  readonly presentationIntent?: 'FOR PRESENTATION' | 'FOR PROCESSING';
  /** Header values that must never leave the decoder. */
  readonly patient?: { name?: string; id?: string; birthDate?: string; institution?: string; accession?: string };
  /** Bits set above HighBit in every word (an overlay in the unused bits), which a reader must ignore. */
  readonly junkHighBits?: boolean;
}

/** A smooth test image (gradient, disc, bars) of whole-number values in [low, high]. */
export function testPattern(width: number, height: number, low: number, high: number): number[] {
  const values: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ramp = (x + y) / (width + height - 2);
      const disc = Math.hypot(x - width * 0.4, y - height * 0.55) < Math.min(width, height) * 0.22 ? 0.35 : 0;
      const bar = Math.floor(x / Math.max(1, width / 8)) % 2 === 0 && y < height / 5 ? 0.2 : 0;
      values.push(Math.round(low + Math.min(1, ramp * 0.6 + disc + bar) * (high - low)));
    }
  }
  return values;
}

/** Writes a Part 10 file. Compressed syntaxes are encoded losslessly, except JPEG baseline (8 bits, lossy). */
export async function writeDicom(spec: DicomSpec): Promise<Uint8Array> {
  const syntax = spec.syntax ?? 'explicit-le';
  const bitsAllocated = spec.bitsAllocated ?? 16;
  const bitsStored = spec.bitsStored ?? bitsAllocated;
  const highBit = spec.highBit ?? bitsStored - 1;
  const samples = spec.photometric === 'RGB' ? 3 : 1;
  const frames = spec.frames ?? 1;
  const words = storedWords(spec, bitsAllocated, bitsStored, highBit);
  const frameBytes = toBytes(words, bitsAllocated, syntax === 'explicit-be');
  const native = ['explicit-le', 'implicit-le', 'explicit-be', 'deflate'].includes(syntax);
  const allFrames = (): Uint8Array => {
    const all = new Uint8Array(frameBytes.length * frames * samples);
    for (let f = 0; f < frames * samples; f++) all.set(frameBytes, f * frameBytes.length);
    return all;
  };
  const pixelData = native
    ? [buffer(allFrames())]
    : [buffer(await compress(syntax, words, spec.width, spec.height, bitsAllocated, bitsStored, spec.signed === true))];

  const dataset: Record<string, unknown> = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
    SOPInstanceUID: '2.25.1234567890',
    Modality: 'DX',
    Rows: spec.height,
    Columns: spec.width,
    BitsAllocated: bitsAllocated,
    BitsStored: bitsStored,
    HighBit: highBit,
    PixelRepresentation: spec.signed ? 1 : 0,
    SamplesPerPixel: samples,
    PhotometricInterpretation: spec.photometric ?? 'MONOCHROME2',
  };
  if (samples > 1) dataset.PlanarConfiguration = 0;
  if (frames > 1) dataset.NumberOfFrames = String(frames);
  if (spec.presentationIntent) dataset.PresentationIntentType = spec.presentationIntent;
  if (spec.patient?.name) dataset.PatientName = spec.patient.name;
  if (spec.patient?.id) dataset.PatientID = spec.patient.id;
  if (spec.patient?.birthDate) dataset.PatientBirthDate = spec.patient.birthDate;
  if (spec.patient?.institution) dataset.InstitutionName = spec.patient.institution;
  if (spec.patient?.accession) dataset.AccessionNumber = spec.patient.accession;
  if (spec.rescale) {
    dataset.RescaleSlope = String(spec.rescale.slope);
    dataset.RescaleIntercept = String(spec.rescale.intercept);
  }
  if (spec.window) {
    dataset.WindowCenter = String(spec.window.center);
    dataset.WindowWidth = String(spec.window.width);
    if (spec.window.fn) dataset.VOILUTFunction = spec.window.fn;
  }
  const natural = DicomMetaDictionary.denaturalizeDataset(dataset);
  // Added after denaturalising, where its VR can be given.
  natural['7FE00010'] = { vr: native && bitsAllocated > 8 ? 'OW' : 'OB', Value: pixelData };
  if (spec.padding !== undefined) natural['00280120'] = { vr: spec.signed ? 'SS' : 'US', Value: [spec.padding] };
  if (spec.voiLut) natural['00283010'] = { vr: 'SQ', Value: [lutItem(spec.voiLut, false, syntax === 'explicit-be')] };
  if (spec.modalityLut)
    natural['00283000'] = {
      vr: 'SQ',
      Value: [lutItem(spec.modalityLut, spec.signed === true, syntax === 'explicit-be')],
    };

  const meta = DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
    MediaStorageSOPInstanceUID: '2.25.1234567890',
    TransferSyntaxUID: SYNTAX_UID[syntax],
    ImplementationClassUID: '2.25.42',
  });
  const dict = new DicomDict(meta);
  dict.dict = natural;
  const file = new Uint8Array(dict.write());
  return syntax === 'deflate' ? deflateDataSet(file) : file;
}

/** The words as stored: each value's low bitsStored bits placed below HighBit, optionally with junk above. */
function storedWords(spec: DicomSpec, bitsAllocated: number, bitsStored: number, highBit: number): Uint32Array {
  const count = spec.width * spec.height;
  const words = new Uint32Array(count);
  const mask = 2 ** bitsStored - 1;
  const shift = highBit + 1 - bitsStored;
  const junkMask = 2 ** bitsAllocated - 1 - mask * 2 ** shift;
  for (let i = 0; i < count; i++) {
    const v = Math.round(spec.values[i]);
    const bits = (v < 0 ? v + 2 ** bitsStored : v) & mask;
    words[i] = bits * 2 ** shift + (spec.junkHighBits ? junkMask & (i % 3 === 0 ? 0xffffffff : 0xaaaaaaaa) : 0);
  }
  return words;
}

function toBytes(words: Uint32Array, bitsAllocated: number, bigEndian: boolean): Uint8Array {
  if (bitsAllocated === 8) return Uint8Array.from(words);
  const out = new Uint8Array(words.length * 2);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint16(2 * i, w, !bigEndian));
  return out;
}

function buffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A LUT sequence item: LUT Descriptor (US, 3 values) and LUT Data (OW), written in the file's byte order. */
function lutItem(
  lut: NonNullable<DicomSpec['voiLut']>,
  signedFirst: boolean,
  bigEndian: boolean,
): Record<string, unknown> {
  const first = signedFirst && lut.firstMapped < 0 ? lut.firstMapped + 0x10000 : lut.firstMapped;
  const data = toBytes(Uint32Array.from(lut.data), 16, bigEndian);
  return {
    '00283002': { vr: 'US', Value: [lut.data.length === 65536 ? 0 : lut.data.length, first, lut.bits] },
    '00283006': { vr: 'OW', Value: [buffer(data)] },
  };
}

/** The file with its data set (everything after the file meta information) raw-deflated. */
function deflateDataSet(file: Uint8Array): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  // (0002,0000) UL: 128-byte preamble, "DICM", tag, VR, length, then the group's length.
  const metaEnd = 132 + 12 + view.getUint32(140, true);
  const deflated = deflateRawSync(file.subarray(metaEnd));
  const out = new Uint8Array(metaEnd + deflated.length);
  out.set(file.subarray(0, metaEnd));
  out.set(deflated, metaEnd);
  return out;
}

interface WasmEncoder {
  getDecodedBuffer(info: Record<string, unknown>): Uint8Array;
  /** OpenJPEG and OpenJPH: (lossless, quality); libjpeg-turbo: (quality 0–100). */
  setQuality?(first: boolean | number, quality?: number): void;
  setProgressive?(progressive: number): void;
  setSubSampling?(subSampling: number): void;
  setDecompositions?(levels: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

const ENCODERS: Partial<Record<FixtureSyntax, { script: string; encoder: string }>> = {
  'jpeg-baseline': { script: '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs', encoder: 'JPEGEncoder' },
  'jpeg-ls': { script: '@cornerstonejs/codec-charls/wasmjs', encoder: 'JpegLSEncoder' },
  'jpeg-2000': { script: '@cornerstonejs/codec-openjpeg/wasmjs', encoder: 'J2KEncoder' },
  htj2k: { script: '@cornerstonejs/codec-openjph/wasmjs', encoder: 'HTJ2KEncoder' },
};

const modules = new Map<string, Promise<Record<string, unknown>>>();

async function compress(
  syntax: FixtureSyntax,
  words: Uint32Array,
  width: number,
  height: number,
  bitsAllocated: number,
  bitsStored: number,
  signed: boolean,
): Promise<Uint8Array> {
  if (syntax === 'rle') return encodeRle(words, bitsAllocated / 8);
  const codec = ENCODERS[syntax];
  if (!codec) throw new Error(`no encoder for ${syntax} in the fixtures (it needs dcmtk)`);
  let module = modules.get(codec.script);
  if (!module) {
    const factory = require(codec.script) as () => Promise<Record<string, unknown>>;
    module = factory();
    modules.set(codec.script, module);
  }
  const Encoder = (await module)[codec.encoder] as new () => WasmEncoder;
  const encoder = new Encoder();
  try {
    const bits = syntax === 'jpeg-baseline' ? 8 : bitsStored;
    const info = {
      width,
      height,
      bitsPerSample: bits,
      componentCount: 1,
      isSigned: signed,
      isUsingColorTransform: false,
    };
    const target = encoder.getDecodedBuffer(info);
    if (bits <= 8) target.set(Uint8Array.from(words, (w) => w & 0xff));
    else {
      // The stored bits, sign-extended when signed: what a lossless codec of that depth round-trips.
      const samples = signed
        ? Int16Array.from(words, (w) => (w & (2 ** (bitsStored - 1)) ? w - 2 ** bitsStored : w))
        : Uint16Array.from(words);
      target.set(new Uint8Array(samples.buffer));
    }
    if (syntax === 'jpeg-baseline') {
      // Baseline (not libjpeg-turbo's default progressive), grey (TJSAMP_GRAY). The build's output buffer holds one
      // byte a pixel, which a small image at the highest quality overruns: quality 100 from 64×64 up, else 85.
      encoder.setProgressive!(0);
      encoder.setSubSampling!(3);
      encoder.setQuality!(width * height >= 4096 ? 100 : 85);
    }
    if (syntax === 'jpeg-2000' || syntax === 'htj2k') {
      encoder.setQuality!(true, 0);
      // Small fixtures allow few wavelet levels.
      encoder.setDecompositions!(Math.max(1, Math.min(5, Math.floor(Math.log2(Math.min(width, height))) - 3)));
    }
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}

/** A DICOM RLE frame: one PackBits segment per byte plane, most significant first (runs of 3+ repeat, else literal). */
function encodeRle(words: Uint32Array, bytesPerSample: number): Uint8Array {
  const segments: Uint8Array[] = [];
  for (let s = 0; s < bytesPerSample; s++) {
    const shift = 8 * (bytesPerSample - 1 - s);
    const plane = Uint8Array.from(words, (w) => (w >>> shift) & 0xff);
    const out: number[] = [];
    let i = 0;
    while (i < plane.length) {
      let run = 1;
      while (i + run < plane.length && run < 128 && plane[i + run] === plane[i]) run++;
      if (run >= 3) {
        out.push(257 - run, plane[i]);
        i += run;
        continue;
      }
      const start = i;
      while (
        i < plane.length &&
        i - start < 128 &&
        !(i + 2 < plane.length && plane[i] === plane[i + 1] && plane[i] === plane[i + 2])
      )
        i++;
      out.push(i - start - 1, ...plane.subarray(start, i));
    }
    if (out.length % 2) out.push(0x80); // segments are padded to an even length with a no-op
    segments.push(Uint8Array.from(out));
  }
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, s) => {
    view.setUint32(4 + 4 * s, offset, true);
    offset += segment.length;
  });
  const frame = new Uint8Array(offset);
  frame.set(header);
  let at = 64;
  for (const segment of segments) {
    frame.set(segment, at);
    at += segment.length;
  }
  return frame;
}
