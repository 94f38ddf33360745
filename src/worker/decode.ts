/**
 * Image decoding in the worker with the browser's own decoders: createImageBitmap, then an OffscreenCanvas to read
 * the RGBA pixels. Colour-space conversion and alpha premultiplication are switched off so the bytes are the file's.
 */
import { DataError } from '../lab/data/errors';
import type { Raster } from '../lab/data/resize';

let canvas: OffscreenCanvas | null = null;
let context: OffscreenCanvasRenderingContext2D | null = null;

/** Decodes an image file to an RGBA raster; throws a DataError naming the file when it is not a readable image. */
export async function decodeToRaster(path: string, blob: Blob): Promise<Raster> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new DataError(path, 'not a readable image (the browser could not decode it)');
  }
  try {
    const { width, height } = bitmap;
    if (!canvas) {
      canvas = new OffscreenCanvas(width, height);
      context = canvas.getContext('2d', { willReadFrequently: true });
    }
    if (!context) throw new DataError(path, 'this browser cannot read pixels in a worker (no OffscreenCanvas 2D)');
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.clearRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0);
    const data = context.getImageData(0, 0, width, height).data;
    return { width, height, channels: 4, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } finally {
    bitmap.close();
  }
}
