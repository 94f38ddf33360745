/**
 * The lab's fast training path on tfjs 4.22: everything in the lab that reaches into tfjs's internals (private
 * backend members, kernel and gradient registries, unexported layer classes, Emscripten's start-up). Outside this
 * folder, code calls `installFastTraining` and reads its state; docs/backends.md lists each internal relied on.
 */
export {
  fastTrainingActive,
  fastTrainingUnsupported,
  installFastTraining,
  labKernelsOn,
  type FastTrainingOptions,
  type FastTrainingState,
} from './install-fast-training';
export { KERNEL_CHOICES, type KernelChoice } from './kernel-choice';
export { installedTfjsVersions, PINNED_TFJS_VERSION, versionMismatch, type TfjsVersions } from './tfjs-version';
