/**
 * The GPU bench page, driven from ../chromium.ts through `window.xrayGpuBench`. It measures on the page's main
 * thread: the GPU does the work, so there are no wasm threads to keep from spinning, as the train bench's worker does.
 */
import { selectBackend } from '../../../src/lab/backend/select-backend';
import { measureOnGpu, type GpuMeasureRequest, type GpuMeasurement } from '../measure';

export interface GpuPageBench {
  measure(request: GpuMeasureRequest): Promise<GpuMeasurement | { error: string }>;
}

declare global {
  interface Window {
    xrayGpuBench: GpuPageBench;
  }
}

window.xrayGpuBench = {
  async measure(request) {
    try {
      // By name: the adapter was classified as hardware before the page was opened.
      const selected = await selectBackend(request.backend);
      if (selected.name !== request.backend) {
        return { error: `${request.backend} did not start: ${selected.fallbacks.map((f) => f.reason).join('; ')}` };
      }
      return await measureOnGpu(request);
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  },
};
document.title = 'ready';
