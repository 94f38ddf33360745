import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readProjectZip } from '../../lab/persist/project-zip';
import { savedRunId } from '../../lab/persist/saved-project';
import { CliError, type CliIO } from '../cli-error';

export const PROJECT_USAGE = `xray-lab project FILE.zip [--json] [--out DIR]
  Reads a project saved by the page ("Save project"): prints each run's result (status, epochs, test accuracy and
  AUC), whether its trained model is in the file, and whether the decoded images are; --json prints the experiment
  card and the model list as JSON;
  --out DIR writes each model as DIR/<model>/seed-<n>/model.json + weights.bin (loadable with tf.loadLayersModel).`;

const fixed = (v: number | null | undefined) => (v == null ? '—' : v.toFixed(3));

/** \`xray-lab project\`: the models and results of a project zip, without a browser. */
export async function projectCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    io.stdout(PROJECT_USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new CliError('give one FILE.zip: a project saved by the page');
  const file = positionals[0];
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  let project;
  try {
    project = readProjectZip(new Uint8Array(bytes), file);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const { card, models, checkpoints, dataset } = project;
  if (values.out) {
    for (const [id, files] of models) {
      const [modelId, seed] = id.split('@');
      const dir = join(values.out, modelId, `seed-${seed}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'model.json'), files.modelJson);
      await writeFile(join(dir, 'weights.bin'), files.weights);
    }
  }
  if (values.json) {
    const images = dataset
      ? {
          images: dataset.meta.count,
          size: dataset.meta.size,
          channels: dataset.meta.channels,
          bytes: dataset.pixels.byteLength,
        }
      : null;
    io.stdout(
      `${JSON.stringify({ card, models: [...models.keys()], interrupted: checkpoints.map((c) => c.info), dataset: images }, null, 2)}\n`,
    );
    return 0;
  }
  const lines = [
    `${file}: ${card.settings.models.length} model(s) × seeds ${card.settings.seeds.join(', ')} on ${card.data.source} (${card.data.identity.files} images, fingerprint ${card.data.identity.fingerprint})`,
    'run\tstatus\tepochs\taccuracy\tAUC\tmodel',
    ...card.results.map((r) =>
      [
        savedRunId(r),
        r.status,
        `${r.epochsRun}/${r.epochsPlanned}`,
        fixed(r.test?.accuracy),
        fixed(r.test?.auc),
        models.has(savedRunId(r)) ? 'yes' : 'no',
      ].join('\t'),
    ),
    ...checkpoints.map(
      (c) => `${savedRunId(c.info)}\tinterrupted at epoch ${c.info.epoch} of ${c.info.epochs} (checkpoint in the file)`,
    ),
    dataset
      ? `images: ${dataset.meta.count} decoded at ${dataset.meta.size}×${dataset.meta.size}×${dataset.meta.channels} (${(dataset.pixels.byteLength / 1e6).toFixed(1)} MB) in the file`
      : 'images: not in the file (saved without them)',
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
