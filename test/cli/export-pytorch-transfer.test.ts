/**
 * `xray-lab export-pytorch` of an experiment with a transfer model, end to end: compare mobilenet-v2 with ../shared's
 * MobileNetV2 α 0.35 on a small generated dataset → export-pytorch with the same weights → the PyTorch model has the
 * card's parameter counts and predicts the saved lab model's logits within 1e-4 → `train.py --nproc 2` trains the
 * head only, as the card says (MobileNetV2 has no fine-tuning stage, so the card's --fine-tune changes nothing),
 * leaving every backbone weight and BatchNorm statistic as loaded. Without --weights the backbone is read back from
 * the saved model (the runs' weights id); weights other than the runs' are refused.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentCard, type ExperimentCard } from '../../src/lab/experiment/card';
import type { ExperimentJson } from '../../src/lab/export/pytorch';
import { buildMobileNetV2Backbone } from '../../src/lab/models/mobilenet-v2';
import { modelFromFiles } from '../../src/lab/models/model-files';
import { parseResultsJson } from '../../src/lab/report/render-json';
import { forgetBackboneWeights } from '../../src/lab/transfer/transfer-context';
import { MOBILENET_DIR } from '../helpers/export-models';
import { kerasWeightsH5 } from '../helpers/keras-h5';
import { pythonHas, runPython } from '../helpers/python';
import { runCliCaptured } from '../helpers/run-cli';
import { useCpuBackend } from '../helpers/tf-cpu';
import { maxAbsDifference, movedByTraining, probeLogits } from '../helpers/torch-project';
import { writeDataset } from '../helpers/write-dataset';

const hasTorch = pythonHas('torch', 'numpy', 'PIL');
const hasMobileNet = existsSync(join(MOBILENET_DIR, 'model.json'));
const SIZE = 48;

describe.skipIf(!hasMobileNet)('xray-lab export-pytorch with mobilenet-v2', () => {
  let root = '';
  let data = '';
  let out = '';
  let project = '';
  let card: ExperimentCard;
  let experiment: ExperimentJson;

  beforeAll(async () => {
    await useCpuBackend();
    root = await mkdtemp(join(tmpdir(), 'xray-export-transfer-'));
    data = join(root, 'data');
    await writeDataset(data, { perClass: 6, size: 40, splits: { val: 0.25, test: 0.25 }, seed: 5 });
    out = join(root, 'out');
    const compared = await runCliCaptured([
      'compare',
      '--data',
      data,
      '--models',
      'mobilenet-v2',
      '--weights',
      MOBILENET_DIR,
      '--size',
      String(SIZE),
      '--epochs',
      '2',
      '--fine-tune',
      '2',
      '--batch',
      '4',
      '--lr',
      '0.01',
      '--bootstrap',
      '0',
      '--seeds',
      '3',
      '--out',
      out,
    ]);
    expect(compared.code, compared.stderr).toBe(0);
    card = parseExperimentCard(await readFile(join(out, 'experiment.json'), 'utf8'));
    project = join(root, 'project');
    const before = tf.memory().numTensors;
    const exported = await runCliCaptured([
      'export-pytorch',
      join(out, 'experiment.json'),
      '--data',
      data,
      '--out',
      project,
      '--weights',
      MOBILENET_DIR,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(exported.stderr).toMatch(/wrote .*project: mobilenet-v2 × seeds 3, the trained weights of 1 run/);
    experiment = JSON.parse(await readFile(join(project, 'experiment.json'), 'utf8')) as ExperimentJson;
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("carries the runs' backbone and trained head with the card's counts, and no fine-tuning stage", () => {
    const [entry] = experiment.models;
    const [record] = card.results;
    // The lab has no fine-tuning stage for MobileNetV2: --fine-tune left its run at the head's epochs.
    expect(record).toMatchObject({ modelId: 'mobilenet-v2', status: 'ok', epochsPlanned: 2 });
    expect(entry).toMatchObject({
      id: 'mobilenet-v2',
      family: 'transfer',
      pixelRange: '-1,1',
      labParams: record.params,
      labTrainableParams: record.trainableParams,
      backbone: {
        network: 'mobilenet-v2',
        alpha: 0.35,
        record: record.backbone,
        weights: 'weights/mobilenet-v2-backbone.safetensors',
      },
      trained: { 3: 'weights/mobilenet-v2-seed3.safetensors' },
    });
    expect(entry.backbone!.fineTune).toBeUndefined();
    expect(experiment.hyperparameters.fineTuneEpochs).toBe(2);
  });

  it.skipIf(!hasTorch)("gives a PyTorch model that predicts the saved lab model's logits within 1e-4", async () => {
    const saved = join(out, 'models/mobilenet-v2');
    const lab = await modelFromFiles(
      await readFile(join(saved, 'model.json'), 'utf8'),
      await readFile(join(saved, 'weights.bin')),
    );
    const x = tf.randomUniform([4, SIZE, SIZE, 3], -1, 1, 'float32', 9) as tf.Tensor4D; // the backbone's pixel range
    const logits = lab.predict(x) as tf.Tensor;
    const want = (await logits.data()) as Float32Array;
    const got = await probeLogits(project, 'mobilenet-v2', 3, x, root);
    tf.dispose([x, logits]);
    lab.dispose();
    expect(got.loaded).toEqual(['weights/mobilenet-v2-backbone.safetensors', 'weights/mobilenet-v2-seed3.safetensors']);
    expect([got.params, got.trainable]).toEqual([card.results[0].params, card.results[0].trainableParams]);
    const diff = maxAbsDifference(got.logits, want);
    const scale = Math.max(...want.map(Math.abs));
    console.info(
      `export-pytorch mobilenet-v2: max |Δ logits| ${diff.toExponential(2)} ` + `(logits up to ${scale.toFixed(2)})`,
    );
    expect(scale).toBeGreaterThan(0.1); // a trained head's logits, not zeros
    expect(diff).toBeLessThan(1e-4);
  });

  it.skipIf(!hasTorch)(
    'trains only the head with train.py --nproc 2, the backbone frozen as loaded',
    async () => {
      const args = ['train.py', '--nproc', '2', '--data', data, '--epochs', '1', '--workers', '0'];
      const { stderr } = await runPython(args, { cwd: project, timeoutMs: 600_000 });
      expect(stderr).not.toMatch(/fine-tuning/);
      const file = parseResultsJson(await readFile(join(project, 'results/results.json'), 'utf8'));
      const [lab] = card.results;
      expect(file.results[0]).toMatchObject({
        modelId: 'mobilenet-v2',
        seed: 3,
        status: 'ok',
        runtime: 'pytorch',
        epochsRun: 1,
        epochsPlanned: 1,
        params: lab.params,
        trainableParams: lab.trainableParams,
        backbone: lab.backbone,
      });
      const { moved, compared } = await movedByTraining(project, 'mobilenet-v2', 3);
      expect(compared).toBeGreaterThan(200); // every backbone weight and BatchNorm statistic was compared
      expect(moved).toEqual(['logits.bias', 'logits.weight']);
    },
    600_000,
  );

  it('reads the backbone from the saved model without --weights: the same project, byte for byte', async () => {
    forgetBackboneWeights(); // what the export above loaded in this process is gone, as in a new one
    const again = join(root, 'project-without-weights');
    const { code, stderr } = await runCliCaptured(['export-pytorch', join(out, 'experiment.json'), '--out', again]);
    expect(code, stderr).toBe(0);
    const weights = ['mobilenet-v2-backbone', 'mobilenet-v2-seed3'].map((w) => `weights/${w}.safetensors`);
    for (const file of ['experiment.json', ...weights]) {
      expect(Buffer.compare(await readFile(join(again, file)), await readFile(join(project, file))), file).toBe(0);
    }
  });

  it("refuses backbone weights other than the runs', with one line, exit 2, and writes no folder", async () => {
    const other = buildMobileNetV2Backbone({ size: 32, alpha: 0.35, seed: 5 });
    const otherH5 = join(root, 'other-mobilenet.h5');
    await writeFile(otherH5, await kerasWeightsH5(other));
    other.dispose();
    const cases: Array<[string[], RegExp]> = [
      [
        ['--weights', otherH5],
        new RegExp(
          'mobilenet-v2: the loaded backbone weights \\(id \\w+, from ' +
            '.*other-mobilenet\\.h5\\) are not the ones its runs used \\(id \\w+, from model\\.json\\); load those',
        ),
      ],
      [
        ['--weights', MOBILENET_DIR, '--preprocessing', 'tf-hub'],
        /mobilenet-v2: the loaded backbone weights take pixels in \[0, 1\], its runs fed them \[-1, 1\]/,
      ],
    ];
    for (const [i, [options, message]] of cases.entries()) {
      const target = join(root, `refused-${i}`);
      const args = ['export-pytorch', join(out, 'experiment.json'), '--out', target, ...options];
      const { code, stderr } = await runCliCaptured(args);
      expect(code, stderr).toBe(2);
      const errors = stderr
        .trim()
        .split('\n')
        .filter((l) => !l.includes(': weights from ')); // the loading's log line
      expect(errors).toEqual([expect.stringMatching(message)]);
      expect(existsSync(target)).toBe(false);
    }
  });
});

if (!hasMobileNet) console.warn(`skipping export-pytorch with mobilenet-v2: ${MOBILENET_DIR} is absent`);
if (!hasTorch) console.warn('skipping the PyTorch runs of export-pytorch with mobilenet-v2: no python3-torch');
