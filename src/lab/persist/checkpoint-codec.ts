/**
 * A training checkpoint as one byte array — the form it takes in IndexedDB and in a project zip — and back. Layout:
 * the 4 bytes "XLCK", a little-endian uint32 header length, a UTF-8 JSON header (every scalar, shape and epoch log,
 * plus the byte offset of each array), then the float32 and int32 arrays back to back. Decoding checks every field
 * and every offset: a truncated or altered entry is refused with a message, never half read.
 */
import { CHECKPOINT_VERSION, type TrainCheckpoint, type WeightArray } from '../train/checkpoint';
import type { EpochLog } from '../train/train-log';

const MAGIC = 'XLCK';

/** A stored checkpoint that cannot be read. */
export class CorruptCheckpointError extends Error {
  constructor(where: string, detail: string) {
    super(`${where}: the saved checkpoint is damaged (${detail})`);
    this.name = 'CorruptCheckpointError';
  }
}

interface ArrayRef {
  offset: number;
  length: number;
}

interface Header {
  version: number;
  epoch: number;
  epochsPlanned: number;
  seed: number;
  batchSize: number;
  learningRate: number;
  trainCount: number;
  backend: string;
  weights: { shape: number[]; at: ArrayRef }[];
  optimizer: { iterations: number; m: ArrayRef[]; v: ArrayRef[] };
  rngState: number;
  order: ArrayRef;
  sourcePosition: number | null;
  history: EpochLog[];
  best: { score: number; epoch: number; weights: { shape: number[]; at: ArrayRef }[] } | null;
  epochsWithoutImprovement: number;
  stoppedEarly: boolean;
  elapsedMs: number;
  trainMs: number;
  imagesTrained: number;
}

export function encodeCheckpoint(cp: TrainCheckpoint): Uint8Array {
  const arrays: (Float32Array | Int32Array)[] = [];
  let bytes = 0;
  const add = (a: Float32Array | Int32Array): ArrayRef => {
    const ref = { offset: bytes, length: a.length };
    arrays.push(a);
    bytes += a.length * 4;
    return ref;
  };
  const weights = (ws: readonly WeightArray[]) => ws.map((w) => ({ shape: [...w.shape], at: add(w.values) }));
  const header: Header = {
    version: cp.version,
    epoch: cp.epoch,
    epochsPlanned: cp.epochsPlanned,
    seed: cp.seed,
    batchSize: cp.batchSize,
    learningRate: cp.learningRate,
    trainCount: cp.trainCount,
    backend: cp.backend,
    weights: weights(cp.weights),
    optimizer: { iterations: cp.optimizer.iterations, m: cp.optimizer.m.map(add), v: cp.optimizer.v.map(add) },
    rngState: cp.rngState,
    order: add(cp.order),
    sourcePosition: cp.sourcePosition,
    history: cp.history,
    // The best weights are often the latest ones: stored once, referred to twice.
    best: cp.best
      ? {
          score: cp.best.score,
          epoch: cp.best.epoch,
          weights: cp.best.weights === cp.weights ? [] : weights(cp.best.weights),
        }
      : null,
    epochsWithoutImprovement: cp.epochsWithoutImprovement,
    stoppedEarly: cp.stoppedEarly,
    elapsedMs: cp.elapsedMs,
    trainMs: cp.trainMs,
    imagesTrained: cp.imagesTrained,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  // The arrays start on a 4-byte boundary so they can be viewed in place when read back.
  const start = align4(8 + json.length);
  const out = new Uint8Array(start + bytes);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  let at = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, where = 'checkpoint'): TrainCheckpoint {
  const fail = (detail: string): never => {
    throw new CorruptCheckpointError(where, detail);
  };
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) fail('too short');
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) fail('not a checkpoint');
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + jsonLength > bytes.length) fail('header cut short');
  let h: Header;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength))) as Header;
  } catch {
    return fail('header is not JSON');
  }
  if (h == null || typeof h !== 'object') fail('header is not an object');
  if (h.version !== CHECKPOINT_VERSION) fail(`version ${String(h.version)}, this lab reads ${CHECKPOINT_VERSION}`);
  const start = align4(8 + jsonLength);
  // One aligned copy of the data section: views into it need no further copies.
  const data = bytes.slice(start).buffer;
  const view = <T extends Float32Array | Int32Array>(
    kind: new (b: ArrayBuffer, o: number, n: number) => T,
    ref: ArrayRef,
    name: string,
  ): T => {
    if (
      ref == null ||
      !Number.isInteger(ref.offset) ||
      !Number.isInteger(ref.length) ||
      ref.offset < 0 ||
      ref.length < 0 ||
      ref.offset % 4 !== 0 ||
      ref.offset + ref.length * 4 > data.byteLength
    ) {
      return fail(`${name} lies outside the data`);
    }
    return new kind(data, ref.offset, ref.length);
  };
  const weights = (list: Header['weights'], name: string): WeightArray[] => {
    if (!Array.isArray(list)) return fail(`${name} missing`);
    return list.map((w, i) => {
      const values = view(Float32Array, w?.at, `${name}[${i}]`);
      const size =
        Array.isArray(w.shape) && w.shape.every((d) => Number.isInteger(d) && d >= 0)
          ? w.shape.reduce((a, b) => a * b, 1)
          : -1;
      if (size !== values.length) fail(`${name}[${i}] has ${values.length} values for shape [${String(w.shape)}]`);
      return { shape: w.shape, values };
    });
  };
  const count = (value: unknown, name: string, min = 0): number =>
    typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fail(`${name} is ${String(value)}`);
  for (const k of ['epoch', 'epochsPlanned', 'batchSize', 'trainCount'] as const) count(h[k], k, 1);
  count(h.learningRate, 'learningRate');
  if (!Number.isInteger(h.seed)) fail('seed');
  if (!Array.isArray(h.history) || h.history.length > h.epoch) fail('history');
  if (
    h.optimizer == null ||
    !Array.isArray(h.optimizer.m) ||
    !Array.isArray(h.optimizer.v) ||
    h.optimizer.m.length !== h.optimizer.v.length
  )
    fail('optimizer');
  const latest = weights(h.weights, 'weights');
  const order = view(Int32Array, h.order, 'order');
  if (order.length !== h.trainCount) fail('order length');
  return {
    version: CHECKPOINT_VERSION,
    epoch: h.epoch,
    epochsPlanned: h.epochsPlanned,
    seed: h.seed,
    batchSize: h.batchSize,
    learningRate: h.learningRate,
    trainCount: h.trainCount,
    backend: String(h.backend),
    weights: latest,
    optimizer: {
      iterations: count(h.optimizer.iterations, 'optimizer.iterations'),
      m: h.optimizer.m.map((r, i) => view(Float32Array, r, `optimizer.m[${i}]`)),
      v: h.optimizer.v.map((r, i) => view(Float32Array, r, `optimizer.v[${i}]`)),
    },
    rngState: count(h.rngState, 'rngState'),
    order,
    sourcePosition: h.sourcePosition == null ? null : count(h.sourcePosition, 'sourcePosition'),
    history: h.history,
    best:
      h.best == null
        ? null
        : {
            score: Number(h.best.score),
            epoch: count(h.best.epoch, 'best.epoch', 1),
            weights:
              Array.isArray(h.best.weights) && h.best.weights.length === 0
                ? latest
                : weights(h.best.weights, 'best.weights'),
          },
    epochsWithoutImprovement: count(h.epochsWithoutImprovement, 'epochsWithoutImprovement'),
    stoppedEarly: h.stoppedEarly === true,
    elapsedMs: count(h.elapsedMs, 'elapsedMs'),
    trainMs: count(h.trainMs, 'trainMs'),
    imagesTrained: count(h.imagesTrained, 'imagesTrained'),
  };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
