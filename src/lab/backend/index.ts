/**
 * Backend selection and the fast training kernels for tfjs's wasm and cpu backends. Runs in Node, pages and Web
 * Workers (nothing here touches fs/path; the wasm binaries' location is injected through `wasmPaths`).
 */
export {
  candidateOrder,
  float16OnlyReason,
  probeGpu,
  selectBackend,
  type BackendFallback,
  type BackendName,
  type BackendPreference,
  type BackendSelection,
  type SelectBackendOptions,
} from './select-backend';
export {
  DEFAULT_FAST_KERNELS,
  fastKernelsActive,
  registerFastKernels,
  stockKernel,
  unregisterFastKernels,
  type FastKernelName,
  type PatchableBackend,
} from './fast-training/kernels/register';
export {
  fastTrainingActive,
  fastTrainingUnsupported,
  installFastTraining,
  KERNEL_CHOICES,
  PINNED_TFJS_VERSION,
  type FastTrainingState,
  type KernelChoice,
} from './fast-training';
export { missingKernels, traceKernels, type KernelTrace, type KernelUse } from './kernel-trace';
export { detectRuntime, type Runtime } from './runtime';
export { configureWasm, type WasmPaths, type WasmSetupOptions } from './fast-training/wasm-setup';
export { MAX_WASM_THREADS, wasmThreadsInUse, type WasmThreadRequest } from './fast-training/wasm-threads';
export { softwareRendererIn, type GpuProbe } from './gpu-probe';
export { filterGradAxis, inputGradAxis, type AxisGeometry, type AxisPlan } from './fast-training/kernels/conv-geometry';
