/**
 * What one environment (Node or the Chromium page) measured: each backbone's forward pass, and the head's epochs on
 * cached InceptionV3 features for the end-to-end estimate.
 */
import type { BackboneId } from '../../src/lab/transfer/backbones';
import type { BackboneMeasurement, HeadRequest } from './measure';
import { BACKBONE_SIZE, type TransferEnv, type TransferVsTorchOptions } from './options';

export interface EnvResult {
  env: TransferEnv;
  backbones: BackboneMeasurement[];
  /** The head's epochs on cached InceptionV3 features (null when InceptionV3 was not timed). */
  head: { request: HeadRequest; ms: number } | null;
  /** A backbone that could not be timed, and why. */
  failures: Array<{ backbone: BackboneId; error: string }>;
}

export function backboneRequest(o: TransferVsTorchOptions, backbone: BackboneId) {
  return { backbone, size: BACKBONE_SIZE[backbone], batch: o.batch, batches: o.batches };
}

/** The head the study trains on InceptionV3's 2,048 pooled features; timed only when InceptionV3 is. */
export function headRequest(o: TransferVsTorchOptions): HeadRequest | null {
  if (!o.backbones.includes('inception-v3')) return null;
  return { images: o.images, features: 2048, epochs: o.headEpochs, batch: o.headBatch };
}
