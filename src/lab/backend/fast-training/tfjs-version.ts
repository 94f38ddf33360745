/**
 * The tfjs release the fast training path was written against. Its kernels, gradient overrides, layer subclasses
 * and wasm start-up read private members of exactly this release (docs/backends.md lists them), so on any other
 * the lab trains with stock tfjs rather than risk a silent change of meaning.
 */
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';

export const PINNED_TFJS_VERSION = '4.22.0';

/** Installed versions by package name (tfjs-core, tfjs-layers, tfjs-backend-cpu, tfjs-backend-wasm). */
export type TfjsVersions = Readonly<Record<string, string>>;

/** The versions of the tfjs packages whose internals the fast path touches, as installed here. */
export function installedTfjsVersions(): TfjsVersions {
  return {
    'tfjs-core': tf.version_core,
    'tfjs-layers': tf.version_layers,
    'tfjs-backend-cpu': tf.version_cpu,
    'tfjs-backend-wasm': version_wasm,
  };
}

/** Why the fast path must stay off with these versions (each that differs from the pinned one), or null. */
export function versionMismatch(versions: TfjsVersions): string | null {
  const off = Object.entries(versions).filter(([, version]) => version !== PINNED_TFJS_VERSION);
  if (off.length === 0) return null;
  const found = off.map(([name, version]) => `${name} ${version}`).join(', ');
  return `the lab's fast training path was written for tfjs ${PINNED_TFJS_VERSION} and this is ${found}`;
}
