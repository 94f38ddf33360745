import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { selectBackend, type BackendPreference } from '../../lab/backend/select-backend';
import type { ImageSet } from '../../lab/data/image-set';
import { explainableModel, type ExplainableModel } from '../../lab/explain/explainable-model';
import { createGradCam } from '../../lab/explain/grad-cam';
import { explainImages, type ImageExplanation } from '../../lab/explain/explain-set';
import { heatInside, maskShare } from '../../lab/explain/heat-map';
import { overlayRgba } from '../../lab/explain/overlay';
import { isBackboneId } from '../../lab/transfer/backbones';
import { backendLine } from '../backend-line';
import { CliError, type CliIO } from '../cli-error';
import { listImages, readImages, readMasks, readSavedModel } from '../explain-inputs';
import { floatOption } from '../options';
import { loadCliWeights } from '../transfer-weights';
import { checkOutDir, writeOutputs, type OutputFiles } from '../write-out';

export const EXPLAIN_USAGE = `xray-lab explain --model DIR --images PATH [--class NAME] [--mask DIR] [--out DIR] [--opacity F]
    [--weights PATH] [--backend auto|wasm|cpu] [--json] [--verbose]
  Grad-CAM: where in each image the model's evidence for a class lies. --model is a saved model folder
  (models/<id>/ as compare --out writes it); --images one image or a folder of them (class folders give the true
  class). Writes one PNG per image into --out (default ./xray-lab-explain): the heat map over the X-ray at the
  model's input size, named <image path>.gradcam.png. --class explains that class for every image (default: each
  image's predicted class). --mask DIR holds a mask image per image (same relative path, or the same name as .png;
  white = inside): the share of the heat inside it is reported (a lung-field mask, an annotated lesion).
  --json prints per image: file, scores, the explained class, the heat map's peak and the heat inside the mask.
  A transfer head saved without its backbone needs the backbone's ImageNet weights: --weights PATH.`;

const BACKENDS = ['auto', 'wasm', 'cpu'];

/** What --json prints for one image. */
export interface ExplainRecord {
  file: string;
  /** From the class folder the image sits in; null when the folder names no class. */
  trueClass: string | null;
  scores: Record<string, number>;
  predicted: string;
  explained: string;
  /** Brightest heat-map pixel in the overlay's (model input) pixels; null when the map has no positive heat. */
  peak: { x: number; y: number } | null;
  /** Side of the overlay and of the peak's coordinates. */
  size: number;
  /** Share of the heat inside the mask, and the mask's share of the image; null without --mask. */
  heatInMask: number | null;
  maskShare: number | null;
  overlay: string;
}

export async function explainCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      images: { type: 'string' },
      class: { type: 'string' },
      mask: { type: 'string' },
      out: { type: 'string' },
      opacity: { type: 'string' },
      weights: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    io.stdout(EXPLAIN_USAGE + '\n');
    return 0;
  }
  const log = (line: string) => io.stderr(`${line}\n`);
  if (!values.model)
    throw new CliError('--model DIR is required (a saved model folder, e.g. xray-lab-results/models/cnn)');
  if (!values.images) throw new CliError('--images PATH is required (an image, or a folder of images)');
  const opacity = floatOption('opacity', values.opacity, 0.6, 0, 1);
  const backend = values.backend ?? 'auto';
  if (!BACKENDS.includes(backend))
    throw new CliError(`--backend must be one of ${BACKENDS.join(', ')} (got "${backend}")`);
  const out = values.out ?? 'xray-lab-explain';
  const listed = await listImages(values.images);

  const selection = await selectBackend(backend as BackendPreference);
  log(backendLine(selection, values.verbose));
  const saved = await readSavedModel(values.model);
  const { model, classNames } = saved;
  let explainable: ExplainableModel | null = null;
  try {
    if (values.weights) {
      if (!saved.modelId || !isBackboneId(saved.modelId)) {
        throw new CliError(
          `--weights ${values.weights}: ${values.model} is not a transfer model (its metadata names no backbone)`,
        );
      }
      await loadCliWeights(new Map([[saved.modelId, values.weights]]), undefined, log);
    }
    explainable = asModelError(values.model, () => explainableModel(model));
    const size = explainable.model.inputs[0].shape[1] ?? saved.size;
    if (size == null) throw new CliError(`--model ${values.model}: its input size is unknown`);
    const range = explainable.range ?? saved.pixelRange;
    const classIndex =
      values.class == null ? null : classNames.findIndex((c) => c.toLowerCase() === values.class!.toLowerCase());
    if (classIndex === -1)
      throw new CliError(`--class ${values.class}: no such class (classes: ${classNames.join(', ')})`);
    const cam = asModelError(values.model, () => createGradCam(explainable!.model));
    log(
      `explaining ${cam.target.layerName} (${cam.target.height}×${cam.target.width}×${cam.target.channels}) of ${values.model}`,
    );

    const masks = values.mask ? await readMasks(values.mask, listed.files, size) : null;
    const set = await readImages(listed.root, listed.files, size, saved.channels, classNames, (file, why) =>
      log(`skipped ${file}: ${why}`),
    );
    if (set.count === 0) throw new CliError(`--images ${values.images}: none of its images could be read`);
    await checkOutDir(out);

    const explained = await explainImages(cam, set, {
      range,
      classes: classIndex ?? 'predicted',
      batchSize: 8,
      onProgress: (done, total) => log(`explained ${done}/${total}`),
    });
    const files: OutputFiles = new Map();
    const records = explained.map((e) => {
      const record = recordOf(e, set, classNames, masks?.[listed.files.indexOf(e.file)] ?? null);
      if (files.has(record.overlay))
        throw new CliError(`--images ${values.images}: two images would both write ${record.overlay}`);
      files.set(record.overlay, overlayPng(set, e, opacity));
      return record;
    });
    await writeOutputs(out, files);
    io.stdout(values.json ? JSON.stringify(records, null, 2) + '\n' : table(records) + '\n');
    log(`wrote ${records.length} overlay(s) into ${out}`);
    return 0;
  } finally {
    explainable?.dispose();
    model.dispose();
  }
}

/** The core's errors about the model itself, as one line naming --model. */
function asModelError<T>(path: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    const e = err as Error;
    if (['NoConvolutionError', 'ExplainInputError', 'BackboneNotLoadedError'].includes(e.name))
      throw new CliError(`--model ${path}: ${e.message}`);
    throw err;
  }
}

function recordOf(
  e: ImageExplanation,
  set: ImageSet,
  classNames: readonly string[],
  mask: Uint8Array | null,
): ExplainRecord {
  const map = e.maps[0];
  return {
    file: e.file,
    trueClass: e.label >= 0 ? classNames[e.label] : null,
    scores: Object.fromEntries(classNames.map((c, i) => [c, round(e.probabilities[i])])),
    predicted: classNames[e.predicted],
    explained: classNames[map.classIndex],
    peak: map.peak,
    size: set.size,
    heatInMask: mask ? nullableRound(heatInside(map.values, mask)) : null,
    maskShare: mask ? round(maskShare(mask)) : null,
    overlay: e.file.replace(/\.[^./]+$/, '') + '.gradcam.png',
  };
}

function overlayPng(set: ImageSet, e: ImageExplanation, opacity: number): Uint8Array {
  const per = set.size * set.size * set.channels;
  const pixels = set.pixels.subarray(e.index * per, (e.index + 1) * per);
  const png = new PNG({ width: set.size, height: set.size });
  png.data = Buffer.from(overlayRgba(pixels, set.channels, e.maps[0].values, set.size, opacity).buffer);
  return new Uint8Array(PNG.sync.write(png));
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
const nullableRound = (x: number | null) => (x == null ? null : round(x));

function table(records: ExplainRecord[]): string {
  const rows = records.map((r) => [
    r.file,
    `${r.predicted} ${r.scores[r.predicted].toFixed(3)}`,
    r.explained,
    r.peak ? `(${r.peak.x}, ${r.peak.y})` : '—',
    r.heatInMask == null ? '—' : `${(r.heatInMask * 100).toFixed(1)}% (mask ${(r.maskShare! * 100).toFixed(1)}%)`,
  ]);
  const header = ['file', 'predicted', 'explained', 'peak (x, y)', 'heat in mask'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
