/**
 * The stored values of a DICOM image: its pixel data decoded (native, RLE or through a codec), each sample reduced
 * to its BitsStored bits below HighBit and read as signed when PixelRepresentation says so.
 */
import { dicomParser } from './dicom-parser-module';
import { decodeJpegLossless, decodeWithWasm, type CodecFrame, type WasmCodec } from './codecs';
import type { ParsedDicom } from './read-dicom';
import { decodeRle } from './rle';

/**
 * The frame's stored values, row-major. Rejects with an Error saying what is wrong (the caller names the file) for
 * damaged compressed data or a frame whose size differs from the header's.
 */
export async function readStoredValues(parsed: ParsedDicom): Promise<Float64Array> {
  const { header, dataSet, pixelData } = parsed;
  const pixels = header.rows * header.columns;
  const encoding = header.transferSyntax.pixels;
  if (encoding === 'native') {
    const bytes = dataSet.byteArray as Uint8Array;
    return toStored(
      nativeWords(bytes, pixelData.dataOffset, pixels, header.bitsAllocated, header.transferSyntax.bigEndian === true),
      header,
      false,
    );
  }
  const frame = dicomParser.readEncapsulatedPixelDataFromFragments(
    dataSet,
    pixelData,
    0,
    pixelData.fragments!.length,
  ) as Uint8Array;
  if (encoding === 'rle') return toStored(decodeRle(frame, pixels, header.bitsAllocated / 8), header, false);
  if (encoding === 'jpeg-lossless') {
    const samples = decodeJpegLossless(frame, header.bitsStored <= 8 ? 1 : 2);
    if (samples.length < pixels) throw new Error(`JPEG lossless frame holds ${samples.length} of ${pixels} samples`);
    return toStored(samples, header, true);
  }
  const codec: WasmCodec =
    encoding === 'jpeg-ls'
      ? 'jpeg-ls'
      : encoding === 'jpeg-2000'
        ? 'jpeg-2000'
        : encoding === 'htj2k'
          ? 'htj2k'
          : 'jpeg-8bit';
  const decoded = await decodeWithWasm(codec, frame);
  checkFrame(decoded, header.columns, header.rows);
  return toStored(decoded.samples, header, true);
}

function checkFrame(frame: CodecFrame, columns: number, rows: number): void {
  if (frame.width !== columns || frame.height !== rows) {
    throw new Error(`the compressed frame is ${frame.width}×${frame.height}, the header says ${columns}×${rows}`);
  }
  if (frame.components !== 1) throw new Error(`the compressed frame has ${frame.components} colour components`);
}

/** Native pixel words of `bits` allocated bits, in the file's byte order. */
function nativeWords(
  bytes: Uint8Array,
  offset: number,
  pixels: number,
  bits: number,
  bigEndian: boolean,
): ArrayLike<number> {
  if (bits === 8) return bytes.subarray(offset, offset + pixels);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, pixels * (bits / 8));
  if (bits === 16) {
    const words = new Uint16Array(pixels);
    for (let i = 0; i < pixels; i++) words[i] = view.getUint16(2 * i, !bigEndian);
    return words;
  }
  const words = new Uint32Array(pixels);
  for (let i = 0; i < pixels; i++) words[i] = view.getUint32(4 * i, !bigEndian);
  return words;
}

/**
 * Keeps BitsStored bits of each word, from HighBit down (`aligned`: a codec's samples, already in the low bits), and
 * sign-extends them for PixelRepresentation 1.
 */
function toStored(words: ArrayLike<number>, header: ParsedDicom['header'], aligned: boolean): Float64Array {
  const pixels = header.rows * header.columns;
  const bits = header.bitsStored;
  const shift = aligned ? 0 : header.highBit + 1 - bits;
  const range = 2 ** bits;
  const half = range / 2;
  const out = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) {
    // Arithmetic rather than bit operators: 32-bit words do not fit a signed 32-bit int.
    let v = Math.floor((words[i] < 0 ? words[i] + 0x100000000 : words[i]) / 2 ** shift) % range;
    if (header.signed && v >= half) v -= range;
    out[i] = v;
  }
  return out;
}
