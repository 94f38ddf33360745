/**
 * The Node side of `bench transfer --vs-torch`: wasm with XNNPACK on every core (the lab's default in Node), the
 * MobileNetV2 ImageNet weights read through the CLI's own loader, InceptionV3 with seeded weights.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../../src/lab/backend/select-backend';
import type { BackboneWeights } from '../../src/lab/transfer/backbone-weights';
import type { BackboneId } from '../../src/lab/transfer/backbones';
import { loadWeightsFromFiles } from '../../src/lab/transfer/load-weights';
import { readWeightsPath } from '../../src/lab/transfer/node/read-weights-path';
import { backboneRequest, headRequest, type EnvResult } from './environment';
import { measureBackbone, measureHeadEpochs } from './measure';
import type { TransferVsTorchOptions } from './options';

const REPO_ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');

/** `path` as given on the command line: relative paths are taken from the repository's root. */
export function weightsPathFromRoot(path: string): string {
  return isAbsolute(path) ? path : resolve(REPO_ROOT, path);
}

/** The MobileNetV2 weights, or null (random weights) with the reason logged. */
async function mobilenetWeights(
  o: TransferVsTorchOptions,
  log: (line: string) => void,
): Promise<BackboneWeights | null> {
  const path = weightsPathFromRoot(o.mobilenetWeights);
  try {
    return await loadWeightsFromFiles('mobilenet-v2', await readWeightsPath(path));
  } catch (err) {
    log(
      `node: MobileNetV2 weights not loaded from ${path} (${(err as Error).message}); ` +
        'timing α 0.35 with random weights',
    );
    return null;
  }
}

export async function runInNode(o: TransferVsTorchOptions, log: (line: string) => void): Promise<EnvResult> {
  const result: EnvResult = { env: 'node', backbones: [], head: null, failures: [] };
  const selected = await selectBackend('wasm');
  if (selected.name !== 'wasm') {
    const error = `wasm unavailable: ${selected.fallbacks.map((f) => f.reason).join('; ')}`;
    result.failures.push(...o.backbones.map((backbone: BackboneId) => ({ backbone, error })));
    return result;
  }
  for (const backbone of o.backbones) {
    log(`node wasm ${backbone}: ${o.batches} timed batch(es) of ${o.batch}`);
    try {
      const weights = backbone === 'mobilenet-v2' ? await mobilenetWeights(o, log) : null;
      const measured = await measureBackbone(backboneRequest(o, backbone), weights);
      // The loader knows the file's name only; the path says which copy was read.
      result.backbones.push(weights ? { ...measured, weights: weightsPathFromRoot(o.mobilenetWeights) } : measured);
    } catch (err) {
      result.failures.push({ backbone, error: (err as Error).message.split('\n')[0] });
    }
  }
  const head = headRequest(o);
  if (head != null) {
    log(`node wasm: ${head.epochs} head epoch(s) on ${head.images} cached InceptionV3 feature vectors`);
    result.head = { request: head, ms: await measureHeadEpochs(head) };
  }
  return result;
}
