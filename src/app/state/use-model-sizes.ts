/**
 * Parameter counts of every model at the chosen input size, measured in the worker. They follow the size live
 * (debounced: typing "128" should not build models at 1 and 12) and the loaded backbone weights (MobileNetV2's alpha
 * changes its count).
 */
import { useEffect } from 'react';
import type { LabStore } from './lab-store';

/** How long the size must stay put before the models are measured at it. */
const SETTLE_MS = 250;

export function useModelSizes(
  store: LabStore,
  ready: boolean,
  size: number,
  channels: 1 | 3,
  weightsVersion: number,
): void {
  useEffect(() => {
    if (!ready) return;
    const key = `${size}x${channels}`;
    const timer = setTimeout(() => {
      if (!(Number.isInteger(size) && size >= 1 && size <= 1024)) return;
      store.client.call('measureModels', { size, channels }).then(
        (list) => store.dispatch({ type: 'sizes', key, list, weightsVersion }),
        () => undefined,
      );
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [store, ready, size, channels, weightsVersion]);
}
