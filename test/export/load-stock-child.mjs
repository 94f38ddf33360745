// Loads stock exports the way a user of plain TF.js would: this process imports @tensorflow/tfjs and nothing else
// (no file of the lab, no custom layer registered), then predicts the inputs it is given.
// Usage: node load-stock-child.mjs DIR — DIR holds cases.json ([{name, count}]) and per case <name>/model.json,
// <name>/weights.bin and <name>/input.bin (float32). Writes <name>/output.bin and DIR/report.json.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const dir = process.argv[2];
const cases = JSON.parse(await readFile(join(dir, 'cases.json'), 'utf8'));
const report = [];
for (const { name, count } of cases) {
  const json = JSON.parse(await readFile(join(dir, name, 'model.json'), 'utf8'));
  const bin = await readFile(join(dir, name, json.weightsManifest[0].paths[0]));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
  const meta = json.userDefinedMetadata;
  const raw = await readFile(join(dir, name, 'input.bin'));
  const input = tf.tensor4d(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)), [
    count,
    meta.inputSize,
    meta.inputSize,
    meta.channels,
  ]);
  const output = model.predict(input);
  await writeFile(join(dir, name, 'output.bin'), Buffer.from((await output.data()).buffer));
  report.push({
    name,
    outputShape: output.shape,
    params: model.countParams(),
    metadata: meta,
    classes: [...new Set(model.layers.map((layer) => layer.getClassName()))],
  });
  tf.dispose([input, output]);
  model.dispose();
}
await writeFile(join(dir, 'report.json'), JSON.stringify(report));
