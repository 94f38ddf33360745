/**
 * Parameters and weight bytes of every registry model at the page's input size, from the registry's own measure()
 * (the same numbers as `xray-lab models`). Cached per size and channel count.
 */
import { MODEL_REGISTRY } from '../lab/registry';
import type { ImageFormat, ModelInfo, ModelSizeInfo } from './protocol';

const cache = new Map<string, ModelSizeInfo[]>();

export function listModels(): ModelInfo[] {
  return MODEL_REGISTRY.map(({ id, group, backbone, rank, label, description, minSize }) => ({
    id,
    group,
    backbone,
    rank,
    label,
    description,
    minSize,
  }));
}

/** Transfer models' counts follow the loaded weights (MobileNetV2's alpha): measured again after a load or clear. */
export function forgetMeasurements(): void {
  cache.clear();
}

export function measureModels({ size, channels }: ImageFormat): ModelSizeInfo[] {
  const key = `${size}x${channels}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const sizes = MODEL_REGISTRY.map((entry): ModelSizeInfo => {
    try {
      return { id: entry.id, ...entry.measure({ size, channels }), error: null };
    } catch (err) {
      return { id: entry.id, params: null, trainableParams: null, bytes: null, error: (err as Error).message };
    }
  });
  cache.set(key, sizes);
  return sizes;
}
