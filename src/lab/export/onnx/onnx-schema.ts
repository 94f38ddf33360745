/**
 * The ONNX protobuf schema (onnx-proto: onnx.proto compiled by protobufjs), imported in one place because the package
 * is CommonJS: bundlers and Node's ESM loader hand its namespace over either as a named export or under `default`.
 */
import * as onnxProto from 'onnx-proto';

type Schema = typeof onnxProto.onnx;

const loaded = onnxProto as unknown as { onnx?: Schema; default?: { onnx?: Schema } };

/** onnx.ModelProto, onnx.TensorProto, … */
export const onnx: Schema =
  loaded.onnx ??
  loaded.default?.onnx ??
  (() => {
    throw new Error('onnx-proto did not load: no "onnx" namespace in its exports');
  })();
