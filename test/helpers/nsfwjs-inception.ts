import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { LayersModelJson } from '../../src/lab/transfer/read-tfjs-layers';

/** Where the npm package nsfwjs (a devDependency) keeps its Keras InceptionV3, as UMD-wrapped JS files. */
export const NSFWJS_INCEPTION_DIR = resolve(process.cwd(), 'node_modules/nsfwjs/dist/models/inception_v3');

/**
 * nsfwjs's InceptionV3 (Keras 2.2.4, uint8-quantised, with real trained weights) as the TF.js files it was made from:
 * `model.min.js` exports model.json as an object; each `group1-shardNof6.min.js` exports its shard as base64.
 * Null when the package is not installed.
 */
export function nsfwjsInception(): { json: LayersModelJson; shards: ArrayBuffer[] } | null {
  if (!existsSync(NSFWJS_INCEPTION_DIR)) return null;
  // The folder holds its own package.json with "type": "commonjs", so plain require() loads the UMD files.
  const require = createRequire(`${NSFWJS_INCEPTION_DIR}/`);
  const json = require('./model.min.js') as LayersModelJson;
  const shards = (json.weightsManifest ?? [])
    .flatMap((g) => g.paths)
    .map((path) => {
      const bytes = Buffer.from(require(`./${path}.min.js`) as string, 'base64');
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    });
  return { json, shards };
}

/**
 * The same model.json cut after `lastLayer` (its output) and with another input size: InceptionV3 is fully
 * convolutional up to its pooling, so nsfwjs's own graph can run at a small input for a quick comparison.
 */
export function truncatedTopology(json: LayersModelJson, lastLayer: string, size: number): unknown {
  const topology = structuredClone(json.modelTopology) as {
    model_config: {
      config: { layers: Array<{ name: string; config: Record<string, unknown> }>; output_layers: unknown };
    };
  };
  const config = topology.model_config.config;
  const cut = config.layers.findIndex((l) => l.name === lastLayer);
  config.layers = config.layers.slice(0, cut + 1);
  config.layers[0].config.batch_input_shape = [null, size, size, 3];
  config.output_layers = [[lastLayer, 0, 0]];
  return topology;
}
