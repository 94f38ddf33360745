/**
 * The compressed-pixel decoders, each a maintained build that ships its WebAssembly inside npm: CharLS (JPEG-LS),
 * OpenJPEG (JPEG 2000), OpenJPH (HTJ2K) and libjpeg-turbo (8-bit JPEG baseline and extended), plus the pure-JS
 * JPEG lossless decoder. Each is loaded on first use and kept: a folder of JPEG-LS files instantiates CharLS once.
 *
 * Node finds each .wasm beside its package's script; a bundled page must say where the bundler put them
 * (locateCodecWasm), as the page does for the tfjs wasm files.
 */
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';

/** A decoded frame: samples in a typed array, least significant bits first as the codec returned them. */
export interface CodecFrame {
  readonly width: number;
  readonly height: number;
  /** One sample a pixel and component, interleaved. */
  readonly samples: Uint8Array | Uint16Array | Int16Array;
  readonly components: number;
  /** Bits per sample the stream declares (8 for baseline JPEG, up to 16). */
  readonly bits: number;
}

/** The codecs behind a WebAssembly module (JPEG lossless is plain JS). */
export type WasmCodec = 'jpeg-ls' | 'jpeg-2000' | 'htj2k' | 'jpeg-8bit';

/** The .wasm file each codec's script asks for, so a bundler's URL can be given per name. */
export const CODEC_WASM_FILES: Record<WasmCodec, string> = {
  'jpeg-ls': 'charlswasm_decode.wasm',
  'jpeg-2000': 'openjpegwasm_decode.wasm',
  htj2k: 'openjphjs.wasm',
  'jpeg-8bit': 'libjpegturbowasm_decode.wasm',
};

interface FactoryOptions {
  locateFile?: (file: string, dir: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}
type Factory = (options?: FactoryOptions) => Promise<Record<string, unknown>>;

// Dynamic imports: a folder of PNGs never loads a codec, and the page's bundler splits each into its own chunk.
const FACTORIES: Record<WasmCodec, () => Promise<unknown>> = {
  'jpeg-ls': () => import('@cornerstonejs/codec-charls/decodewasmjs'),
  'jpeg-2000': () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'),
  htj2k: () => import('@cornerstonejs/codec-openjph/wasmjs'),
  'jpeg-8bit': () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
};

/** The decoder class each module exports. */
const DECODER_CLASS: Record<WasmCodec, string> = {
  'jpeg-ls': 'JpegLSDecoder',
  'jpeg-2000': 'J2KDecoder',
  htj2k: 'HTJ2KDecoder',
  'jpeg-8bit': 'JPEGDecoder',
};

/** The part of the codecs' shared decoder API the lab uses. */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

let locate: ((file: string) => string) | null = null;
const loaded = new Map<WasmCodec, Promise<Record<string, unknown>>>();

/** Where a bundled page serves each codec's .wasm (by file name, see CODEC_WASM_FILES). Call before decoding. */
export function locateCodecWasm(urlOf: (file: string) => string): void {
  locate = urlOf;
  loaded.clear();
}

function load(codec: WasmCodec): Promise<Record<string, unknown>> {
  let module = loaded.get(codec);
  if (!module) {
    module = FACTORIES[codec]().then((m) => {
      // CommonJS through an ES import: the factory is the default export (or the module itself).
      const factory = ((m as { default?: unknown }).default ?? m) as Factory;
      // OpenJPEG logs every header it reads: silence the modules; failures still reach us as exceptions.
      const quiet = { print: () => undefined, printErr: () => undefined };
      return factory(locate ? { ...quiet, locateFile: (file) => locate!(file) } : quiet);
    });
    // A failed load is not cached: the next file tries again (and reports the same reason if it fails again).
    module.catch(() => loaded.delete(codec));
    loaded.set(codec, module);
  }
  return module;
}

/** Decodes one frame with a WebAssembly codec; the samples are copied out of the module's memory. */
export async function decodeWithWasm(codec: WasmCodec, stream: Uint8Array): Promise<CodecFrame> {
  const module = await load(codec);
  const DecoderClass = module[DECODER_CLASS[codec]] as new () => WasmDecoder;
  const decoder = new DecoderClass();
  try {
    decoder.getEncodedBuffer(stream.length).set(stream);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const bytes = decoder.getDecodedBuffer();
    const samples = info.bitsPerSample <= 8 ? bytes.slice() : sixteenBit(bytes, info.isSigned === true);
    return {
      width: info.width,
      height: info.height,
      samples,
      components: info.componentCount,
      bits: info.bitsPerSample,
    };
  } finally {
    decoder.delete();
  }
}

/** 16-bit samples from the module's little-endian memory, copied. */
function sixteenBit(bytes: Uint8Array, signed: boolean): Uint16Array | Int16Array {
  const copy = bytes.slice();
  const count = copy.byteLength >> 1;
  return signed ? new Int16Array(copy.buffer, 0, count) : new Uint16Array(copy.buffer, 0, count);
}

/** Decodes a JPEG lossless (process 14) frame; `bytesPerSample` 1 or 2. */
export function decodeJpegLossless(stream: Uint8Array, bytesPerSample: 1 | 2): Uint8Array | Uint16Array {
  // It takes a buffer with an offset (the frame may be a view into a larger one, such as Node's Buffer pool).
  return new JpegLosslessDecoder().decode(stream.buffer, stream.byteOffset, stream.byteLength, bytesPerSample);
}
