/** What `bench gpu` found and measured in one environment (headless Chromium, or Node through Dawn). */
import type { AdapterClass } from './adapter-class';
import type { GpuMeasurement } from './measure';
import type { GpuBenchOptions, GpuEnv } from './options';

export interface GpuEnvOutcome {
  env: GpuEnv;
  /** Every requested API's adapter, classified. */
  adapters: AdapterClass[];
  /** Set when no requested API had a hardware adapter here: nothing was measured. */
  refusal: string | null;
  measurements: GpuMeasurement[];
  /** Measurements that failed outright (the backend did not start, the page threw). */
  errors: string[];
}

/** The requested backends with a hardware adapter (or any adapter, with --allow-software): what the bench runs on. */
export function runnableBackends(o: GpuBenchOptions, adapters: readonly AdapterClass[]): Array<'webgpu' | 'webgl'> {
  const runnable = (a: AdapterClass) => a.kind === 'hardware' || (o.allowSoftware && a.kind === 'software');
  return o.backends.filter((b) => adapters.some((a) => a.api === b && runnable(a)));
}
