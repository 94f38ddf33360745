import type { ResizeMode } from './resize';

/**
 * The one step that differs between Node and the browser: turning a file's bytes into a square uint8 image. The
 * pipeline reads, hashes and stores; a decoder decodes and resizes, on the calling thread or in a pool of workers.
 */

/** The square format images are stored at. */
export interface StoreFormat {
  readonly size: number;
  readonly channels: 1 | 3;
  /** Default 'stretch' (the study's). */
  readonly mode?: ResizeMode;
}

/** One decoded image: the stored pixels and the file's own size. */
export interface DecodedSquare {
  /** size × size × channels bytes, HWC. */
  readonly pixels: Uint8Array;
  /** Width and height of the original image, for the summary's size range. */
  readonly width: number;
  readonly height: number;
  /** DICOM: a one-way key of its Patient ID, for patient-level splits (never the id itself). */
  readonly patientKey?: string;
}

export interface ImageDecoder {
  /** What decodes, for logs and benchmarks (`jpeg-js/pngjs`, `createImageBitmap ×4 workers`). */
  readonly name: string;
  /** How many decodes the pipeline should keep in flight (1 for a decoder on the calling thread). */
  readonly concurrency: number;
  /**
   * Decodes `bytes` and resizes to `format`. Rejects with a DataError naming `path` for an unreadable file. May take
   * ownership of `bytes` (transfer it to a worker): the caller must not use them afterwards.
   */
  decode(bytes: Uint8Array, path: string, format: StoreFormat): Promise<DecodedSquare>;
  /** Frees workers; the decoder is unusable afterwards. */
  close(): void;
}

/** Caller → decoding worker or thread: one file to decode; `bytes` is transferred. Shared by both pools. */
export interface DecodeRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly path: string;
  readonly format: StoreFormat;
}

/** Decoding worker or thread → caller: the square image (its buffer transferred) or why the file could not be decoded. */
export type DecodeReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly pixels: Uint8Array;
      readonly width: number;
      readonly height: number;
      readonly patientKey?: string;
    }
  | { readonly id: number; readonly ok: false; readonly problem: string };
