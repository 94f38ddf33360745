/**
 * A small builder for an ONNX graph: nodes in the order they run, weights as initializers, every name checked for
 * uniqueness (ONNX requires one producer per tensor name). It knows nothing of Keras; layer-nodes.ts does.
 */
import type { onnx as proto } from 'onnx-proto';
import { onnx } from './onnx-schema';

export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** float32 values as TensorProto raw_data (little-endian, whatever the host is). */
function floatBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new DataView(new ArrayBuffer(values.byteLength));
  values.forEach((v, i) => out.setFloat32(4 * i, v, true));
  return new Uint8Array(out.buffer);
}

/** A number is an INT attribute (kernel sizes, axes), an array INTS; `{ float }` and `{ floats }` are FLOAT and FLOATS. */
function attribute(name: string, value: AttributeValue): proto.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value))
      throw new Error(`ONNX export: attribute ${name} = ${value} is not a whole number (use { float })`);
    return { name, type: T.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.FLOATS, floats: value.floats };
}

export class OnnxGraph {
  readonly nodes: proto.INodeProto[] = [];
  readonly initializers: proto.ITensorProto[] = [];
  private readonly names = new Set<string>();

  /** Reserves `name` (a tensor or initializer); a second producer of one name is a bug in the export. */
  claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX export: the name "${name}" is produced twice`);
    this.names.add(name);
    return name;
  }

  /** Appends a node with one output named `output`; returns that name. */
  node(op: string, inputs: readonly string[], output: string, attributes: Record<string, AttributeValue> = {}): string {
    this.claim(output);
    this.nodes.push({
      opType: op,
      name: output,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** A float32 weight of the given dims. */
  floats(name: string, dims: readonly number[], values: Float32Array): string {
    const count = dims.reduce((n, d) => n * d, 1);
    if (count !== values.length)
      throw new Error(`ONNX export: "${name}" has ${values.length} values for dims [${dims.join(', ')}]`);
    this.initializers.push({
      name: this.claim(name),
      dims: [...dims],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: floatBytes(values),
    });
    return name;
  }

  /** An int64 vector (Pad's pads). */
  int64s(name: string, values: readonly number[]): string {
    this.initializers.push({
      name: this.claim(name),
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      int64Data: [...values],
    });
    return name;
  }

  /** A float32 scalar (Clip's bounds). */
  scalar(name: string, value: number): string {
    this.initializers.push({
      name: this.claim(name),
      dims: [],
      dataType: onnx.TensorProto.DataType.FLOAT,
      floatData: [value],
    });
    return name;
  }
}

/** A float32 tensor's type with a symbolic batch dimension first (`null` dims become `N`). */
export function floatValueInfo(name: string, dims: ReadonlyArray<number | null>): proto.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (d == null ? { dimParam: 'N' } : { dimValue: d })) },
      },
    },
  };
}
