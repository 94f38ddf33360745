/** README.md of an exported PyTorch project: what is in it and the commands that run it, for this experiment. */
import type { ExperimentModelJson } from './model-plan';
import type { PytorchProjectSpec } from './project-spec';

/** What the project does about fine-tuning, for this experiment. */
function fineTuneLine(spec: PytorchProjectSpec, models: readonly ExperimentModelJson[]): string {
  const tunable = models.filter((m) => m.backbone?.fineTune);
  if (tunable.length === 0) return '';
  const epochs = spec.hyperparameters.fineTuneEpochs ?? 0;
  const plan = tunable[0].backbone!.fineTune!;
  const what = `${tunable.map((m) => m.id).join(', ')}: ${plan.blocks}'s ${plan.layers.length} convolutions`;
  const rate = `${plan.learningRateFactor}× the learning rate`;
  return epochs > 0
    ? `As in the lab, ${what} then train with the head for ${epochs} more epoch(s) at ${rate}, BatchNorm still frozen ` +
        '(`--fine-tune 0` skips that stage).'
    : `The experiment does not fine-tune; \`--fine-tune N\` adds the lab's second stage (${what} train with the head ` +
        `for N epochs at ${rate}).`;
}

export function projectReadme(spec: PytorchProjectSpec, models: readonly ExperimentModelJson[]): string {
  const h = spec.hyperparameters;
  const counts = (['train', 'val', 'test'] as const).map((s) => `${spec.splits[s].length} ${s}`).join(' / ');
  const trained = models.flatMap((m) => Object.keys(m.trained).map((seed) => `${m.id} seed ${seed}`));
  const rows = models.map(
    (m) =>
      `| ${m.id} | ${m.label} | ${m.labParams.toLocaleString('en-US')} | ${m.labTrainableParams.toLocaleString('en-US')} | [${m.pixelRange.replace(',', ', ')}] |`,
  );
  return `# ${spec.title ?? 'X-Ray Lab experiment'} — PyTorch project

Exported by X-Ray Lab: the experiment's models, hyperparameters and split manifest, and a trainer that runs it with
PyTorch DistributedDataParallel on one machine or many, then writes its results in X-Ray Lab's \`results.json\`
format so the lab shows them beside browser runs (each record says \`"runtime": "pytorch"\`).

- ${spec.models.length} model(s) × ${h.seeds.length} seed(s) (${h.seeds.join(', ')}), ${h.size}×${h.size}×${h.channels} inputs, ${h.epochs} epochs,
  batch ${h.batchSize} (global: N processes take ${h.batchSize} / N each), Adam lr ${h.learningRate}
- classes ${spec.classNames.join(', ')} (positive: ${spec.classNames[spec.positiveClass]}); images: ${counts}
- ${trained.length > 0 ? `trained in the lab, loaded as the starting point (\`--from-scratch\` ignores them): ${trained.join(', ')}` : 'no trained weights: every run starts from a seeded initialisation'}

| id | model | parameters | trainable | pixels |
|---|---|---|---|---|
${rows.join('\n')}

## Requirements

Python 3.8+ with PyTorch (1.13 or later), NumPy and Pillow: \`pip install -r requirements.txt\`
(Debian/Ubuntu: \`apt-get install python3-torch python3-numpy python3-pil\`). A CUDA build of PyTorch for GPUs.

## Run

\`--data DIR\` is the dataset folder the experiment was made from: \`experiment.json\` lists every image by its path
relative to it (\`splits.train\`, \`splits.val\`, \`splits.test\`). Copy that folder to the machines that train.

\`\`\`sh
python3 train.py --data DIR                          # one process (GPU when there is one)
python3 train.py --nproc 4 --data DIR                # 4 processes on this machine (one per GPU, or gloo on CPUs)
torchrun --standalone --nproc_per_node=4 train.py --data DIR
# several machines: run this on each (node_rank 0..M-1), HOST being the first one
torchrun --nnodes=M --node_rank=R --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 --nproc_per_node=G train.py --data DIR
\`\`\`

Options: \`--device auto|cpu|cuda\`, \`--models cnn,light-k2\`, \`--seeds 1,2,3\`, \`--epochs N\` (0 evaluates the
exported weights only), \`--batch N\`, \`--lr X\`, \`--fine-tune N\` (InceptionV3's second stage),
\`--from-scratch\`, \`--workers N\` (image-decoding workers per
process), \`--results DIR\` (outside the data folder). Processes communicate over NCCL on GPUs and gloo on CPUs; torchrun's RANK / WORLD_SIZE /
LOCAL_RANK are read when present. (Debian's python3-torch 1.13 ships a torchrun that fails on Python 3.11 inside its
elastic launcher; \`python3 train.py --nproc N\` starts the processes itself and works there.)

## Results

\`results/results.json\` beside train.py, or in \`--results DIR\` (after every model, so a long run keeps what it
finished), and the trained weights, \`results/models/<model>-seed<seed>.pt\` (a state_dict). Nothing is written into
the data folder, which may be read-only or shared; \`--results\` inside it is refused. Open results.json in X-Ray Lab to compare PyTorch and
browser runs. Metrics are the lab's: accuracy, sensitivity, specificity, precision, F1, NPV, ROC AUC (ties count ½)
with bootstrap 95% intervals (NumPy's resamples, so intervals differ slightly from the lab's), confusion matrix.

## What is where

| file | what |
|---|---|
| \`experiment.json\` | models, hyperparameters, class names, the split manifest, which weights file goes with what |
| \`train.py\` | command line, process start (torchrun or --nproc), the models × seeds loop |
| \`trainer.py\` | one (model, seed): DistributedDataParallel training, BatchNorm re-estimation, validation, best-epoch restore, early stopping, test |
| \`models.py\`, \`backbones.py\` | the networks, with the lab's layer names and parameter counts |
| \`data.py\` | images decoded with Pillow and resized exactly as the lab does |
| \`metrics.py\`, \`results.py\` | the lab's metrics and results.json format |
| \`weights.py\`, \`weights/\` | the lab's weights as safetensors (PyTorch layouts, state_dict names; read without pickle) |

As in the lab: the loss is cross-entropy on the logits (class weights: Σ w·loss / number of non-zero weights) plus
1e-4·Σw² on every LightConv2D/LightDense factor; BatchNorm epsilon 1e-3 and momentum ${h.batchNormMomentum} (Keras
convention); ${h.batchNormRecalibrationBatches > 0 ? `BatchNorm statistics are re-estimated on ${h.batchNormRecalibrationBatches} training batches before each validation` : "no BatchNorm re-estimation (the study's protocol)"};
the weights of the best validation loss are kept. Transfer backbones (the ImageNet weights the lab loaded, in
\`weights/<model>-backbone.safetensors\`) stay frozen in inference mode: BatchNorm keeps its ImageNet statistics
and only the head trains. ${fineTuneLine(spec, models)}
Not carried over: data augmentation and the lab's feature cache (the
frozen backbone runs on every batch of every epoch). With N processes on CPUs each
BatchNorm sees its own batch / N images; on GPUs SyncBatchNorm makes the statistics global.
`;
}
