import type { PixelRange } from '../data/batches';

/**
 * What travels with every exported model (TF.js `userDefinedMetadata`, the Keras .h5's `xray_lab` attribute, the
 * PyTorch project's experiment.json), so that whoever loads it knows what to feed it and how to read its output.
 */
export interface ExportMetadata {
  /** Registry id: 'cnn', 'light-k2', 'inception-v3', … */
  readonly modelId: string;
  /** Output index i is the probability of classNames[i]. */
  readonly classNames: readonly string[];
  /** Square input side in pixels (the model takes [n, inputSize, inputSize, channels]). */
  readonly inputSize: number;
  /** 1 = grey, 3 = RGB (grey X-rays repeated into three channels). */
  readonly channels: 1 | 3;
  /** How 8-bit pixels are scaled before the model: '0,1' = x / 255, '-1,1' = x / 127.5 − 1. */
  readonly pixelRange: PixelRange;
}

/** Checks the fields an exporter relies on, so a bad call fails with the field's name rather than a broken file. */
export function checkExportMetadata(meta: ExportMetadata): void {
  if (!meta.modelId) throw new Error('export metadata: modelId is empty');
  if (!Array.isArray(meta.classNames) || meta.classNames.length < 2) {
    throw new Error(
      `export metadata: classNames must list at least two classes (got ${JSON.stringify(meta.classNames)})`,
    );
  }
  if (!Number.isInteger(meta.inputSize) || meta.inputSize < 1)
    throw new Error(`export metadata: inputSize must be a whole number ≥ 1 (got ${meta.inputSize})`);
  if (meta.channels !== 1 && meta.channels !== 3)
    throw new Error(`export metadata: channels must be 1 or 3 (got ${String(meta.channels)})`);
  if (meta.pixelRange !== '0,1' && meta.pixelRange !== '-1,1')
    throw new Error(`export metadata: pixelRange must be '0,1' or '-1,1' (got ${String(meta.pixelRange)})`);
}
