/**
 * The one entry point to the lab's fast training path: its kernels, gradient overrides and training layers. The
 * rest of the lab calls `installFastTraining` once a backend is chosen (select-backend.ts) and asks
 * `fastTrainingActive` where a choice depends on it; nothing outside this folder registers kernels or gradients.
 *
 * Two things turn the path off: the user's choice (`kernels: 'stock'`) and a tfjs other than the pinned release
 * (tfjs-version.ts), which is said once per process. Off means stock tfjs kernels, gradients and layers; wasm still
 * gets the one kernel it lacks for training (the filter gradient), built from its own kernels.
 */
import type { KernelChoice } from './kernel-choice';
import {
  fastKernelsActive,
  fillMissingKernels,
  installGpuTrainingGradients,
  registerFastKernels,
  unregisterFastKernels,
  type FastKernelName,
  type PatchableBackend,
} from './kernels/register';
import { restoreStockGradients } from './kernels/training-gradients';
import { installedTfjsVersions, versionMismatch, type TfjsVersions } from './tfjs-version';

export interface FastTrainingOptions {
  /** What the user asked for. Default 'lab'. */
  kernels?: KernelChoice;
  /** The tfjs versions to check (tests inject others); default the installed ones. */
  versions?: TfjsVersions;
  /** Where the one warning about a different tfjs goes. Default console.warn. */
  warn?: (line: string) => void;
}

/** What `installFastTraining` left in place. */
export interface FastTrainingState {
  /** What trains now: 'stock' when asked for, or when the tfjs version is not the pinned one. */
  kernels: KernelChoice;
  /** Kernels of this backend served by the lab (on stock wasm: only the missing filter gradient). */
  registered: FastKernelName[];
  /** Why 'lab' was asked for and 'stock' runs, or null. */
  note: string | null;
}

/** The last install's choice; null before the first (then the version alone decides). */
let installed: KernelChoice | null = null;
let warned = false;

/** Why the fast path must stay off on this tfjs (or the given versions), or null when it may install. */
export function fastTrainingUnsupported(versions: TfjsVersions = installedTfjsVersions()): string | null {
  return versionMismatch(versions);
}

/** True when the lab's training layers and gradients should run (checked by them at call time). */
export function fastTrainingActive(): boolean {
  installed ??= fastTrainingUnsupported() == null ? 'lab' : 'stock';
  return installed === 'lab';
}

const isCpuSide = (backendName: string): backendName is PatchableBackend =>
  backendName === 'wasm' || backendName === 'cpu';

/**
 * Installs the fast training path for `backendName` (the active backend), or takes it out for stock training.
 * Idempotent; switching back and forth in one process restores exactly tfjs's kernels and gradients.
 */
export function installFastTraining(backendName: string, options: FastTrainingOptions = {}): FastTrainingState {
  const asked = options.kernels ?? 'lab';
  const note = asked === 'lab' ? fastTrainingUnsupported(options.versions) : null;
  if (note != null && !warned) {
    warned = true;
    (options.warn ?? ((line: string) => console.warn(line)))(`${note}: training with stock tfjs kernels instead`);
  }
  const kernels: KernelChoice = note == null ? asked : 'stock';
  installed = kernels;
  if (kernels === 'lab') {
    if (isCpuSide(backendName)) return { kernels, registered: registerFastKernels(backendName), note };
    installGpuTrainingGradients();
    return { kernels, registered: [], note };
  }
  unregisterFastKernels('wasm');
  unregisterFastKernels('cpu');
  restoreStockGradients();
  const registered = isCpuSide(backendName) ? fillMissingKernels(backendName) : [];
  return { kernels, registered, note };
}

/** Kernels of `backendName` served by the lab right now. */
export function labKernelsOn(backendName: string): FastKernelName[] {
  return isCpuSide(backendName) ? fastKernelsActive(backendName) : [];
}
