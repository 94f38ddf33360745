/**
 * What a saved model says about itself (model.json's `userDefinedMetadata`), one format for the page's downloads
 * and the CLI's `--out`: enough to classify with it (input size, channels, pixel range, class names) and to know
 * where it came from (model, seed, positive class).
 */
import type { PixelRange } from '../data/batches';

export interface SavedModelMeta {
  /** Registry id of the architecture. */
  readonly modelId: string;
  readonly label: string;
  /** The run's seed. */
  readonly seed: number;
  readonly inputSize: number;
  readonly channels: 1 | 3;
  /** How pixels are scaled before the network. */
  readonly pixelRange: PixelRange;
  /** Output order. */
  readonly classNames: string[];
  /** Index of the class scored as positive. */
  readonly positiveClass: number;
  /** What the outputs are: the lab's own format outputs logits (apply softmax for probabilities). */
  readonly outputs: 'logits';
}

export function savedModelMeta(fields: Omit<SavedModelMeta, 'outputs'>): SavedModelMeta {
  return { ...fields, classNames: [...fields.classNames], outputs: 'logits' };
}
