/**
 * Where a Vite-built page or worker finds tfjs's wasm binaries: Vite turns these imports into URLs of emitted files,
 * so the wasm backend finds them from any sub-path. The threaded module factory goes as a plain file too: pthread
 * workers load it instead of the minified bundle's copy (which hangs them: the factory's source text is mangled by minification). Used by the lab's worker and
 * by the bench and test pages, so all of them start wasm the same way.
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmThreadedFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import type { SelectBackendOptions } from '../lab/backend/select-backend';

export const WASM_ASSETS: Pick<SelectBackendOptions, 'wasmPaths' | 'wasmThreadedFactoryUrl'> = {
  wasmPaths: {
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  },
  wasmThreadedFactoryUrl: wasmThreadedFactory,
};
