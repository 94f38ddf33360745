/**
 * Where the bundled page serves the DICOM codecs' WebAssembly: Vite copies each .wasm into the build and gives its
 * URL, which the codecs are told before the first DICOM is decoded (Node finds them beside their scripts).
 */
import charls from '@cornerstonejs/codec-charls/decodewasm?url';
import turbo from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import openjpeg from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import openjph from '@cornerstonejs/codec-openjph/wasm?url';
import { CODEC_WASM_FILES, locateCodecWasm } from '../dicom/codecs';

const URLS: Record<string, string> = {
  [CODEC_WASM_FILES['jpeg-ls']]: charls,
  [CODEC_WASM_FILES['jpeg-8bit']]: turbo,
  [CODEC_WASM_FILES['jpeg-2000']]: openjpeg,
  [CODEC_WASM_FILES.htj2k]: openjph,
};

let done = false;

/** Points the codecs at the bundled .wasm files (once). */
export function useBundledCodecs(): void {
  if (done) return;
  done = true;
  locateCodecWasm((file) => URLS[file] ?? file);
}
