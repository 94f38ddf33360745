/**
 * Questions asked of an exported PyTorch project by running its own Python modules (Debian's python3-torch): what
 * its model predicts on the lab's inputs, and which weights a train.py run moved.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { runPython } from './python';

const PROBE = resolve('test/export/pytorch_probe.py');

export interface ProbedModel {
  /** Logits of the inputs, in order. */
  logits: Float32Array;
  /** Counted as the lab counts (BatchNorm statistics included). */
  params: number;
  trainable: number;
  /** Project-relative weights files loaded, in order. */
  loaded: string[];
}

/** The project's model of (modelId, seed), built as train.py builds it, on `x` (NHWC, as the lab takes it). */
export async function probeLogits(
  project: string,
  modelId: string,
  seed: number,
  x: tf.Tensor4D,
  work: string,
): Promise<ProbedModel> {
  const inputs = join(work, `${modelId}-inputs.bin`);
  const outputs = join(work, `${modelId}-logits.bin`);
  await writeFile(inputs, new Uint8Array(((await x.data()) as Float32Array).buffer));
  const jobs = join(work, `${modelId}-jobs.json`);
  await writeFile(jobs, JSON.stringify({ predict: [{ project, modelId, seed, inputs, count: x.shape[0], outputs }] }));
  const { stdout } = await runPython([PROBE, jobs]);
  const report = (JSON.parse(stdout) as { predict: Array<Omit<ProbedModel, 'logits'>> }).predict[0];
  const raw = await readFile(outputs);
  return { ...report, logits: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) };
}

/**
 * The state_dict keys whose tensors differ between the run's starting point (the exported backbone file, then the
 * lab-trained file over it) and results/models/<id>-seed<seed>.pt, and how many keys were compared.
 */
export async function movedByTraining(
  project: string,
  modelId: string,
  seed: number,
): Promise<{ moved: string[]; compared: number }> {
  const script = [
    'import json, sys, torch',
    'sys.path.insert(0, ".")',
    'from weights import read_safetensors',
    `m = next(m for m in json.load(open("experiment.json"))["models"] if m["id"] == ${JSON.stringify(modelId)})`,
    `files = ([m["backbone"]["weights"]] if "backbone" in m else []) + [m["trained"]["${seed}"]]`,
    'start = {k: v for f in files for k, v in read_safetensors(f)[0].items()}',
    `state = torch.load("results/models/${modelId}-seed${seed}.pt")`,
    'moved = sorted(k for k in start if not torch.equal(start[k], state[k]))',
    'print(json.dumps({"moved": moved, "compared": len(start)}))',
  ].join('\n');
  const { stdout } = await runPython(['-c', script], { cwd: project });
  return JSON.parse(stdout) as { moved: string[]; compared: number };
}

/** Largest absolute difference of two equally long arrays. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`${a.length} values against ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
