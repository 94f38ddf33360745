import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { decodeDicom, type DicomFacts } from '../dicom/decode-dicom';
import { DataError } from '../errors';
import { readImageHeader, type ImageFormat } from '../image-header';
import { MAX_DECODE_MEGAPIXELS } from '../limits';
import type { DecodedSquare, ImageDecoder, StoreFormat } from '../decoder';
import { toSquare, type Raster } from '../resize';

/** A decoded image: 8 bits per channel, row-major, channels interleaved (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
export type DecodedImage = Raster;

// Format sniffing is shared with the header reader and the browser decoder; re-exported for existing callers.
export { sniffFormat, type ImageFormat } from '../image-header';

// The header check (readImageHeader) already refuses images over the decode limit; jpeg-js gets the same limit as a
// second guard. jpeg-js' tolerant mode accepts small stream glitches; a file cut short still fails (its end marker is
// missing), which is what we want reported.
const JPEG_OPTIONS = {
  useTArray: true,
  formatAsRGBA: false,
  tolerantDecoding: true,
  maxResolutionInMP: MAX_DECODE_MEGAPIXELS,
  maxMemoryUsageInMB: 768,
} as const;

/** A decoded file of any format the lab reads, with what preview reports of it. */
export interface DecodedFile {
  readonly image: DecodedImage;
  readonly format: ImageFormat;
  /** DICOM only: transfer syntax, photometric interpretation, bits and the window used. */
  readonly dicom?: DicomFacts;
  /** DICOM only: a one-way key of its Patient ID. */
  readonly patientKey?: string;
}

/**
 * Decodes a JPEG, PNG or DICOM file (DICOM through its display pipeline, to 8-bit grey). Rejects with a DataError
 * naming `path`, as decodeImage does.
 */
export async function decodeFile(bytes: Uint8Array, path: string): Promise<DecodedFile> {
  const { format } = readImageHeader(bytes, path);
  if (format !== 'dicom') return { image: decodeImage(bytes, path), format };
  const decoded = await decodeDicom(bytes, path);
  const patient = decoded.patientKey ? { patientKey: decoded.patientKey } : {};
  return { image: decoded.raster, format, dicom: decoded.facts, ...patient };
}

/**
 * Decodes a JPEG or PNG file's bytes (DICOM needs decodeFile: its codecs load asynchronously). `path` only names the
 * file in errors. Throws a DataError (path and reason)
 * for an empty file, a file that is neither JPEG nor PNG whatever its name, an image over the decode limit, or a
 * corrupt or truncated image. The header is read first, as `scan` and the page read it, so all three refuse the same
 * files in the same words. JPEGs whose three channels are equal everywhere (grey X-rays saved as RGB) come back with
 * 1 channel.
 */
export function decodeImage(bytes: Uint8Array, path: string): DecodedImage {
  const { format } = readImageHeader(bytes, path);
  if (format === 'dicom') throw new DataError(path, 'a DICOM file where only JPEG or PNG is read here');
  try {
    return format === 'jpeg' ? decodeJpeg(bytes) : decodePng(bytes);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const kind = format === 'jpeg' ? 'JPEG' : 'PNG';
    throw new DataError(path, `corrupt or truncated ${kind} (${why})`);
  }
}

function decodeJpeg(bytes: Uint8Array): DecodedImage {
  const img = jpeg.decode(bytes, JPEG_OPTIONS);
  const rgb = img.data;
  const n = img.width * img.height;
  // Collapse grey-as-RGB to one channel: a third of the memory and of the resize work for the usual X-ray.
  for (let p = 0; p < n * 3; p += 3) {
    if (rgb[p] !== rgb[p + 1] || rgb[p] !== rgb[p + 2])
      return { width: img.width, height: img.height, channels: 3, data: rgb };
  }
  const grey = new Uint8Array(n);
  for (let i = 0; i < n; i++) grey[i] = rgb[i * 3];
  return { width: img.width, height: img.height, channels: 1, data: grey };
}

function decodePng(bytes: Uint8Array): DecodedImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // pngjs always hands back RGBA, 16-bit samples already rounded to 8 bits and palettes expanded.
  const png = PNG.sync.read(buffer);
  const { width, height } = png;
  // Colour type bits: 2 = colour, 4 = alpha; a palette (3) has colour. Keep only the channels the file had.
  const colour = (png.colorType & 2) !== 0;
  const alpha = (png.colorType & 4) !== 0;
  const channels = (colour ? 3 : 1) + (alpha ? 1 : 0);
  const rgba = png.data;
  const data = new Uint8Array(width * height * channels);
  for (let i = 0, o = 0, p = 0; i < width * height; i++, p += 4) {
    data[o++] = rgba[p];
    if (colour) {
      data[o++] = rgba[p + 1];
      data[o++] = rgba[p + 2];
    }
    if (alpha) data[o++] = rgba[p + 3];
  }
  return { width, height, channels, data };
}

/**
 * The Node decoder for the ingestion pipeline: pure-JS jpeg-js and pngjs (no native addon, installs offline), DICOM
 * through dicom-parser and the codecs' WebAssembly, then the core's toSquare, on the calling thread. The pipeline
 * overlaps file reads with decoding; the CPU work itself runs one image at a time.
 */
export function createNodeDecoder(): ImageDecoder {
  return {
    name: 'jpeg-js/pngjs/dicom (main thread)',
    concurrency: 1,
    async decode(bytes: Uint8Array, path: string, format: StoreFormat): Promise<DecodedSquare> {
      const { image, patientKey } = await decodeFile(bytes, path);
      const pixels = toSquare(image, format.size, format.channels, format.mode ?? 'stretch');
      return { pixels, width: image.width, height: image.height, ...(patientKey ? { patientKey } : {}) };
    },
    close() {},
  };
}
