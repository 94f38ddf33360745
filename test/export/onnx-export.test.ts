/**
 * ONNX export of every registry model: the graph's shape (opset, NHWC input with a free batch, probabilities out,
 * LightConv2D as two Conv, BatchNormalization in inference form, metadata) — and onnxruntime-node, a runtime that
 * shares no code with the lab, runs each file and predicts what the lab's model predicts (softmax of its logits)
 * within 1e-4, at several sizes, grey and RGB, for batches of 1 and 3.
 */
import * as tf from '@tensorflow/tfjs';
import type { onnx as proto } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnxModelFile, OnnxExportError } from '../../src/lab/export/onnx';
import { onnx } from '../../src/lab/export/onnx/onnx-schema';
import { buildTransferModel } from '../../src/lab/transfer/compose';
import { findModel } from '../../src/lab/registry';
import {
  CLASS_NAMES,
  mobileNetBackbone,
  perturbWeights,
  sampleInputs,
  scratchCases,
  transferCases,
  type ExportCase,
} from '../helpers/export-models';
import { useCpuBackend } from '../helpers/tf-cpu';

const TOLERANCE = 1e-4;
let cases: ExportCase[] = [];

/** More sizes than the shared cases: odd sides (uneven 'same' pads and floor-ing pools) and the other channel count. */
async function extraCases(): Promise<ExportCase[]> {
  const specs: Array<[string, number, 1 | 3]> = [
    ['cnn', 61, 1],
    ['light-k2', 37, 1],
    ['light-k4', 29, 3],
  ];
  const out: ExportCase[] = specs.map(([id, size, channels], i) => {
    const model = findModel(id).build({ size, channels, seed: 70 + i });
    perturbWeights(model, 700 + i);
    return {
      name: `${id}@${size}x${channels}`,
      model,
      meta: { modelId: id, classNames: CLASS_NAMES, inputSize: size, channels, pixelRange: '0,1' },
    };
  });
  const mobile = await mobileNetBackbone();
  if (mobile) {
    // An odd side makes MobileNetV2's ZeroPadding2D pad asymmetrically; grey input goes through its channel repeat.
    const model = buildTransferModel(mobile, { size: 67, channels: 1, numClasses: 3, seed: 9 });
    out.push({
      name: 'mobilenet-v2@67x1',
      model,
      meta: {
        modelId: 'mobilenet-v2',
        classNames: ['A', 'B', 'C'],
        inputSize: 67,
        channels: 1,
        pixelRange: mobile.preprocessing.range,
      },
    });
  }
  return out;
}

beforeAll(async () => {
  await useCpuBackend();
  cases = [...scratchCases(), ...(await transferCases()), ...(await extraCases())];
});
afterAll(() => {
  for (const c of cases) c.model.dispose();
});

const decode = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes);
/** Decoded messages hold every field; the generated `graph` type says optional. */
const graphOf = (bytes: Uint8Array) => decode(bytes).graph as proto.GraphProto;
const dims = (info: {
  type?: {
    tensorType?: { shape?: { dim?: Array<{ dimValue?: unknown; dimParam?: string | null }> | null } | null } | null;
  } | null;
}) => info.type!.tensorType!.shape!.dim!.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));

describe('ONNX export: the graph', () => {
  it('takes NHWC [N, size, size, channels], gives [N, classes], opset 13, with the metadata in metadata_props', async () => {
    const c = cases.find((x) => x.name === 'light-k2')!;
    const model = decode(await onnxModelFile(c.model, c.meta));
    const graph = model.graph as proto.GraphProto;
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    expect(graph.input.map((i) => [i.name, dims(i)])).toEqual([['image', ['N', 16, 16, 3]]]);
    expect(graph.output.map((o) => [o.name, dims(o)])).toEqual([['probabilities', ['N', 2]]]);
    const props = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(props).toMatchObject({
      modelId: 'light-k2',
      classNames: JSON.stringify(CLASS_NAMES),
      inputSize: '16',
      channels: '3',
      pixelRange: '0,1',
      layout: 'NHWC',
      output: 'probabilities',
      format: 'onnx',
    });
    expect(graph.node.at(-1)).toMatchObject({ opType: 'Softmax', output: ['probabilities'] });
  });

  it('writes LightConv2D as Conv → Relu → Conv and BatchNormalization from the moving statistics', async () => {
    const c = cases.find((x) => x.name === 'light-k3')!;
    const graph = graphOf(await onnxModelFile(c.model, c.meta));
    const producer = (tensor: string) => graph.node.find((n) => n.output!.includes(tensor)) as proto.NodeProto;
    const second = producer('block2_light1');
    expect(second.opType).toBe('Conv');
    const relu = producer(second.input[0]);
    expect(relu.opType).toBe('Relu');
    const first = producer(relu.input[0]);
    expect(first.opType).toBe('Conv');
    const weight = (name: string) => graph.initializer.find((t) => t.name === name) as proto.TensorProto;
    // Rank 3 in the middle: [3, 8, 3, 3] then [16, 3, 3, 3] (out, in, kh, kw).
    expect(weight(first.input[1]).dims.map(Number)).toEqual([3, 8, 3, 3]);
    expect(weight(second.input[1]).dims.map(Number)).toEqual([16, 3, 3, 3]);
    const bn = producer('block2_bn1');
    expect(bn.opType).toBe('BatchNormalization');
    expect(bn.input.slice(3)).toEqual(['block2_bn1/moving_mean', 'block2_bn1/moving_variance']);
    expect(bn.output).toHaveLength(1); // inference form: no running statistics out
    const layer = c.model.getLayer('block2_bn1');
    const mean = layer.weights
      .find((w) => w.originalName.endsWith('moving_mean'))!
      .read()
      .dataSync();
    const raw = weight('block2_bn1/moving_mean').rawData!;
    expect([...new Float32Array(Uint8Array.from(raw).buffer)]).toEqual([...mean]);
  });

  it("holds exactly the model's weights (regrouped) for every image model", async () => {
    for (const c of cases.filter((x) => x.meta.modelId !== 'inception-v3')) {
      const graph = graphOf(await onnxModelFile(c.model, c.meta));
      const floats = graph.initializer
        .filter((t) => t.dataType === onnx.TensorProto.DataType.FLOAT && t.dims!.length > 0)
        .reduce((n, t) => n + t.dims!.reduce((m, d) => m * Number(d), 1), 0);
      expect(floats, c.name).toBe(c.model.countParams());
    }
  });

  it('creates no tensors and says which layer it cannot write', async () => {
    const c = cases.find((x) => x.name === 'cnn')!;
    const before = tf.memory().numTensors;
    await onnxModelFile(c.model, c.meta);
    expect(tf.memory().numTensors).toBe(before);

    // Reshape is a stock Keras layer (the TF.js export keeps it) that the ONNX export has no nodes for.
    const input = tf.input({ shape: [4, 4, 1], name: 'image' });
    const flat = tf.layers.reshape({ name: 'unrolled', targetShape: [16] }).apply(input) as tf.SymbolicTensor;
    const odd = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ name: 'logits', units: 2 }).apply(flat) as tf.SymbolicTensor,
    });
    const meta = {
      modelId: 'odd',
      classNames: CLASS_NAMES,
      inputSize: 4,
      channels: 1 as const,
      pixelRange: '0,1' as const,
    };
    await expect(onnxModelFile(odd, meta)).rejects.toThrow(OnnxExportError);
    await expect(onnxModelFile(odd, meta)).rejects.toThrow(/layer "unrolled": Reshape has no ONNX translation here/);
    await expect(onnxModelFile(c.model, { ...c.meta, classNames: ['A', 'B', 'C'] })).rejects.toThrow(
      /2 outputs but the metadata names 3 classes/,
    );
    odd.dispose();
  });
});

describe('ONNX export: run by onnxruntime-node', () => {
  it(`predicts the lab model's softmax(logits) within ${TOLERANCE} for every model, size and batch`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const start = tf.memory().numTensors;
    for (const [i, c] of cases.entries()) {
      const session = await ort.InferenceSession.create(await onnxModelFile(c.model, c.meta));
      expect(session.inputNames, c.name).toEqual(['image']);
      expect(session.outputNames, c.name).toEqual(['probabilities']);
      let worst = 0;
      for (const batch of [1, 3]) {
        const x = sampleInputs(c.meta, batch, 50 + i * 7 + batch);
        const want = tf.tidy(() => tf.softmax(c.model.predict(x) as tf.Tensor2D));
        const input = new ort.Tensor('float32', (await x.data()) as Float32Array, x.shape);
        const { probabilities } = await session.run({ image: input });
        expect(probabilities.dims, c.name).toEqual([batch, c.meta.classNames.length]);
        const got = probabilities.data as Float32Array;
        const expected = (await want.data()) as Float32Array;
        const diff = Math.max(...expected.map((v, k) => Math.abs(v - got[k])));
        worst = Math.max(worst, diff);
        tf.dispose([x, want]);
      }
      await session.release();
      console.info(
        `onnx ${c.name} (${c.meta.inputSize}×${c.meta.inputSize}×${c.meta.channels}): max |Δ| ${worst.toExponential(2)} vs the lab model's softmax`,
      );
      expect(worst, c.name).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(tf.memory().numTensors).toBe(start);
  });
});
