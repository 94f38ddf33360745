/**
 * One GPU measurement, identical in the page and in Node: the train bench's timing (the lab's trainer, one warm-up
 * epoch then timed epochs) and the GPU programs of one training step (gpu-dispatches' count, on the second step:
 * the first compiles shaders). The backend must already be started.
 */
import { countGpuDispatches } from '../../src/lab/backend/dispatch-count';
import { aroundSecondStep } from '../../test/e2e/gpu-page/step';
import { measureTraining } from '../train/measure';

export interface GpuMeasureRequest {
  backend: 'webgpu' | 'webgl';
  model: string;
  size: number;
  batch: number;
  steps: number;
  repeats: number;
}

export interface GpuMeasurement {
  request: GpuMeasureRequest;
  /** Median training images/s over the timed epochs, and each epoch's. */
  imagesPerSec: number | null;
  runs: number[];
  trainError: string | null;
  programsPerStep: number | null;
  programsError: string | null;
}

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];

export async function measureOnGpu(request: GpuMeasureRequest): Promise<GpuMeasurement> {
  const { backend, model, size, batch, steps, repeats } = request;
  const trained = await measureTraining({ model, size, batch, channels: 3, steps, repeats, backend, kernels: 'ours' });
  let programsPerStep: number | null = null;
  let programsError: string | null = null;
  try {
    programsPerStep = await aroundSecondStep({ modelId: model, size, batch, channels: 3, seed: 1 }, countGpuDispatches);
  } catch (err) {
    programsError = firstLine(err);
  }
  return {
    request,
    imagesPerSec: trained.train?.median ?? null,
    runs: trained.train?.runs ?? [],
    trainError: trained.trainError,
    programsPerStep,
    programsError,
  };
}
