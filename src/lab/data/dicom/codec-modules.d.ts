// The codec packages ship Emscripten factories without typings; only what the lab calls is declared.

/** An Emscripten factory: resolves to the instantiated module once its WebAssembly is loaded. */
type EmscriptenFactory = (options?: {
  locateFile?: (file: string, scriptDirectory: string) => string;
  wasmBinary?: ArrayBuffer | Uint8Array;
}) => Promise<Record<string, unknown>>;

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: EmscriptenFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: EmscriptenFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: EmscriptenFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: EmscriptenFactory;
  export default factory;
}
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    /** Decodes a JPEG lossless (process 14) stream; `numBytes` 1 or 2 per sample. */
    decode(buffer: ArrayBufferLike, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
