/**
 * WebGPU keeps every tensor in one storage buffer, and a buffer larger than the device allows
 * (maxStorageBufferBindingSize, often 128 MiB or 2 GiB; maxBufferSize) cannot be bound: tfjs then fails late or
 * computes garbage. The largest tensor of a training step is an activation (a layer's output, or its gradient, of
 * the same size): batch × that layer's output, in float32. Checked before the first step, so a batch × size that
 * does not fit is refused with a message saying what would.
 */
import * as tf from '@tensorflow/tfjs';

/** Bytes per image of the largest activation of `model` (its input included), float32. */
export function largestActivationBytesPerImage(model: tf.LayersModel): number {
  let largest = 0;
  const consider = (shape: readonly (number | null)[]) => {
    const elements = shape.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1);
    largest = Math.max(largest, elements * 4);
  };
  for (const input of model.inputs) consider(input.shape);
  for (const layer of model.layers) {
    const shapes = layer.outputShape;
    if (Array.isArray(shapes[0])) for (const s of shapes as tf.Shape[]) consider(s);
    else consider(shapes as tf.Shape);
  }
  return largest;
}

/** The binding limits of the current WebGPU device, or null on other backends. */
export function webgpuBufferLimit(): number | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const device = (
    tf.backend() as unknown as {
      device?: { limits?: { maxStorageBufferBindingSize?: number; maxBufferSize?: number } };
    }
  ).device;
  const limits = device?.limits;
  if (limits == null) return null;
  const values = [limits.maxStorageBufferBindingSize, limits.maxBufferSize].filter(
    (v): v is number => typeof v === 'number' && v > 0,
  );
  return values.length > 0 ? Math.min(...values) : null;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 24 ? 1 : 0)} MiB`;

/** Why a batch of `batchSize` does not fit `limitBytes`, or null when it does (pure; see `bufferLimitReason`). */
export function batchOverLimitReason(bytesPerImage: number, batchSize: number, limitBytes: number): string | null {
  const bytes = bytesPerImage * batchSize;
  if (bytes <= limitBytes) return null;
  const fits = Math.floor(limitBytes / bytesPerImage);
  const advice = fits >= 1 ? `use a batch of at most ${fits}, or a smaller image size` : 'use a smaller image size';
  return (
    `a batch of ${batchSize} needs a ${mib(bytes)} buffer for its largest activation, over this GPU's ` +
    `${mib(limitBytes)} limit per buffer (WebGPU): ${advice}, or another backend`
  );
}

/** Why training `model` with `batchSize` cannot run on the current backend's buffers, or null. */
export function bufferLimitReason(model: tf.LayersModel, batchSize: number): string | null {
  const limit = webgpuBufferLimit();
  return limit == null ? null : batchOverLimitReason(largestActivationBytesPerImage(model), batchSize, limit);
}
