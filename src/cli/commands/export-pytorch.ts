/**
 * `xray-lab export-pytorch EXPERIMENT.json --out DIR`: an experiment card and the models `compare --out` saved beside
 * it, as a PyTorch project (src/lab/export/pytorch) that trains the same experiment with torchrun / DDP and writes
 * the lab's results.json. Everything is checked (card, trained models, backbone weights, --data, --out) before the
 * project is written, all at once: a failure leaves no folder behind.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tf from '@tensorflow/tfjs';
import '../../lab/models'; // registers LightConv2D / LightDense: the lab's saved models use them
import { identifyLayout } from '../../lab/data/data-identity';
import { openNodeSource } from '../../lab/data/node/sources';
import { scanSource } from '../../lab/data/scan';
import { parseExperimentCard, type ExperimentCard } from '../../lab/experiment/card';
import { writeFolderAtomically } from '../../lab/export/node/write-folder';
import { pytorchSpecOfCard, trainedRunsOf, writePytorchProject } from '../../lab/export/pytorch';
import { BackboneNotLoadedError, findModel } from '../../lab/registry';
import { backboneSpec, type BackboneId } from '../../lab/transfer/backbones';
import { loadedBackboneWeights } from '../../lab/transfer/transfer-context';
import { CliError, type CliIO } from '../cli-error';
import { readSavedModel } from '../explain-inputs';
import { useQuietCpu } from '../quiet-backend';
import { registryProblem } from '../run-comparison';
import { assignWeights, loadCliWeights, preprocessingOption } from '../transfer-weights';

export const EXPORT_PYTORCH_USAGE = `xray-lab export-pytorch EXPERIMENT.json --out DIR [--data DIR] [--trained DIR] [--untrained]
    [--weights [ID=]PATH …] [--preprocessing keras|tf-hub]
  Writes the experiment of a card (experiment.json from compare --out or the page's "Download all") as a PyTorch
  project in DIR: models.py, train.py (DistributedDataParallel: gloo on CPUs, nccl on GPUs), experiment.json with
  the hyperparameters and the split manifest, and the lab's trained weights (weights/*.safetensors) read from the
  models/ folder beside the card (--trained DIR: the folder holding models/). Run it with
  \`torchrun --standalone --nproc_per_node=N train.py --data DATA\` or \`python3 train.py --nproc N --data DATA\`;
  it writes results/results.json in the project folder (never into DATA), which the page and xray-lab read.
    --data DIR       check that DIR holds the card's data (its fingerprint) and print the train.py command for it
    --untrained      leave the lab's trained weights out (the project trains from scratch)
    --weights …      ImageNet weights of a transfer model's backbone (as for compare); needed where the saved models
                     do not hold them: with --untrained, and for a fine-tuned InceptionV3 (a frozen backbone is read
                     back from the trained model and checked against the weights id its run recorded)`;

export async function exportPytorchCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      data: { type: 'string' },
      trained: { type: 'string' },
      untrained: { type: 'boolean', default: false },
      weights: { type: 'string', multiple: true },
      preprocessing: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    io.stdout(EXPORT_PYTORCH_USAGE + '\n');
    return 0;
  }
  const log = (line: string) => io.stderr(`${line}\n`);
  if (positionals.length !== 1) throw new CliError('give one EXPERIMENT.json (see xray-lab export-pytorch --help)');
  if (!values.out) throw new CliError('--out DIR is required: the folder the PyTorch project is written to');
  const cardPath = positionals[0];
  const card = await readCard(cardPath);
  // train.py reads classes from folder names; a label table's classes would be misread (not done yet).
  const table = card.data.identity.table;
  if (table)
    throw new CliError(
      `${cardPath}: its classes came from the label table ${table.file}; export-pytorch does not read label tables yet`,
    );
  await checkOutEmpty(values.out);
  const dataDir = values.data ? await checkData(values.data, card) : null;

  await useQuietCpu();
  const transferIds = card.settings.models.filter((id) => findModel(id).backbone !== null);
  const weightValues = values.weights ?? [];
  // Without --weights, a transfer model's backbone comes from its trained models (the core checks it is the runs'
  // own); a model with neither is refused here, naming it, before anything is loaded.
  const named = (id: string) => weightValues.some((v) => v.startsWith(`${id}=`));
  const bare = weightValues.some((v) => !transferIds.some((id) => v.startsWith(`${id}=`)));
  const trainedIds = new Set(values.untrained ? [] : trainedRunsOf(card).map((r) => r.modelId));
  const withWeights = bare ? transferIds : transferIds.filter(named);
  for (const id of transferIds) {
    if (withWeights.includes(id) || trainedIds.has(id)) continue;
    throw new BackboneNotLoadedError(id, backboneSpec(id as BackboneId).missingWeights);
  }
  await loadCliWeights(assignWeights(withWeights, weightValues), preprocessingOption(values.preprocessing), log);

  const trained: Array<{ modelId: string; seed: number; model: tf.LayersModel }> = [];
  try {
    if (!values.untrained) {
      const base = values.trained ?? dirname(cardPath);
      for (const run of trainedRunsOf(card)) {
        const folder = join(base, run.folder);
        if (!(await stat(join(folder, 'model.json')).catch(() => null))) {
          throw new CliError(
            `${folder}/model.json: the trained ${run.modelId} (seed ${run.seed}) is not there; give the folder holding models/ with --trained DIR, or --untrained`,
          );
        }
        trained.push({ modelId: run.modelId, seed: run.seed, model: (await readSavedModel(folder)).model });
      }
    }
    let files;
    try {
      // Weights given with --weights are the ones exported (and checked against the runs'), not a fallback.
      const given = Object.fromEntries(withWeights.map((id) => [id, loadedBackboneWeights(id as BackboneId)!]));
      files = await writePytorchProject({ ...pytorchSpecOfCard(card, trained), backbones: given });
    } catch (err) {
      if ((err as Error).name === 'PytorchExportError') throw new CliError(`${cardPath}: ${(err as Error).message}`);
      throw err;
    }
    try {
      await writeFolderAtomically(values.out, files);
    } catch (err) {
      throw new CliError(`--out ${values.out}: ${(err as Error).message}`);
    }
  } finally {
    for (const t of trained) t.model.dispose();
  }
  const weights =
    trained.length === 0
      ? 'no trained weights (it trains from scratch)'
      : `the trained weights of ${trained.length} run(s)`;
  log(`wrote ${values.out}: ${card.settings.models.join(', ')} × seeds ${card.settings.seeds.join(', ')}, ${weights}`);
  const data = dataDir ?? 'DATA';
  io.stdout(
    `cd ${values.out}\npython3 train.py --nproc 2 --data ${data}                        # or:\n` +
      `torchrun --standalone --nproc_per_node=N train.py --data ${data}\n`,
  );
  return 0;
}

async function readCard(path: string): Promise<ExperimentCard> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`${path}: cannot read (${err.code ?? err.message})`);
  });
  try {
    return parseExperimentCard(text, path, { checkModel: registryProblem });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** --out must be absent or an empty folder; checked first, so nothing is loaded for an export that cannot be written. */
async function checkOutEmpty(out: string): Promise<void> {
  const info = await stat(out).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) throw new CliError(`--out ${out}: exists and is not a folder`);
  if ((await readdir(out)).length > 0) throw new CliError(`--out ${out}: exists and is not empty; choose a new folder`);
}

/** The folder train.py's --data must name: DIR (or the folder in it the lab's layout started at), if it is the card's data. */
async function checkData(dir: string, card: ExperimentCard): Promise<string> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory())
    throw new CliError(
      `--data ${dir}: no such folder (the PyTorch project reads images from a folder: unpack a .zip first)`,
    );
  const scan = await scanSource(await openNodeSource(dir));
  const identity = identifyLayout(scan.layout, scan.sizes);
  const expected = card.data.identity;
  if (identity.fingerprint !== expected.fingerprint) {
    throw new CliError(
      `--data ${dir}: its files differ from the data the card ran on (fingerprint ${identity.fingerprint}, ${identity.files} images; ` +
        `the card's ${expected.fingerprint}, ${expected.files} images)`,
    );
  }
  return resolve(dir, identity.root);
}
