/**
 * An experiment card (experiment.json from `compare --out` or the page's "Download all") as the PyTorch export's
 * spec: its settings become the hyperparameters, its split manifest the project's (each file's class read from its
 * class folder), and its finished runs the trained weights to carry — found where the lab saved them,
 * models/<id>/ (one seed) or models/<id>/seed-<n>/ (several). Framework-free: the CLI and the page both use it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { CardData, ExperimentCard } from '../../experiment/card';
import { positiveClassIndex } from '../../data/summary';
import {
  hyperparametersOf,
  PytorchExportError,
  type ManifestEntry,
  type PytorchProjectSpec,
  type SplitManifest,
  type UsedBackbone,
} from './project-spec';

const SPLIT_FOLDERS = new Set(['train', 'val', 'test']);

/**
 * The class of an image from its path below the dataset folder: `CLASS/…` or `train|val|test/CLASS/…`, as the lab's
 * layout reads folders. Null when no class folder is where the layout would have found one.
 */
export function classOfPath(path: string, classNames: readonly string[]): string | null {
  const parts = path.split('/');
  if (parts.length >= 3 && SPLIT_FOLDERS.has(parts[0].toLowerCase()) && classNames.includes(parts[1])) return parts[1];
  if (parts.length >= 2 && classNames.includes(parts[0])) return parts[0];
  return null;
}

/** The card's split manifest with each file's class, or a PytorchExportError naming the first file without one. */
export function manifestOfCard(data: CardData): SplitManifest {
  if (data.test) {
    throw new PytorchExportError(
      `the card's test images came from a separate folder (${data.test.source}); the PyTorch project reads every ` +
        'split from one dataset folder: run the experiment with the test images inside the data (its test/ folder) to export it',
    );
  }
  const entries = (split: 'train' | 'val' | 'test'): ManifestEntry[] =>
    data.split[split].map((path) => {
      const label = classOfPath(path, data.classNames);
      if (label == null)
        throw new PytorchExportError(
          `data.split.${split}: ${path} is not inside a class folder (${data.classNames.join(', ')})`,
        );
      return { path, label };
    });
  return { train: entries('train'), val: entries('val'), test: entries('test') };
}

/** Where the lab saved run (modelId, seed) of an experiment with `seeds`, relative to the card's folder. */
export function savedModelFolder(modelId: string, seed: number, seeds: readonly number[]): string {
  return `models/${modelId}${seeds.length > 1 ? `/seed-${seed}` : ''}`;
}

/** The runs of the card that finished (status ok) and so left a trained model, in the card's order. */
export function trainedRunsOf(card: ExperimentCard): Array<{ modelId: string; seed: number; folder: string }> {
  return card.results
    .filter(
      (r) => r.status === 'ok' && card.settings.models.includes(r.modelId) && card.settings.seeds.includes(r.seed),
    )
    .map((r) => ({
      modelId: r.modelId,
      seed: r.seed,
      folder: savedModelFolder(r.modelId, r.seed, card.settings.seeds),
    }));
}

/** The card as a PyTorch project spec; `trained` are the lab models to start from (none: train from scratch). */
export function pytorchSpecOfCard(
  card: ExperimentCard,
  trained: ReadonlyArray<{ modelId: string; seed: number; model: tf.LayersModel }> = [],
): PytorchProjectSpec {
  const classNames = card.data.classNames;
  const positiveClass = positiveClassIndex(classNames, card.settings.positiveClass ?? undefined);
  if (positiveClass < 0)
    throw new PytorchExportError(
      `settings.positiveClass "${card.settings.positiveClass}" is not a class of the data (${classNames.join(', ')})`,
    );
  return {
    title: `X-Ray Lab experiment of ${card.createdAt} on ${card.data.source}`,
    models: [...card.settings.models],
    hyperparameters: hyperparametersOf(card.settings),
    classNames,
    positiveClass,
    splits: manifestOfCard(card.data),
    trained: [...trained],
    settings: card.settings,
    usedBackbones: usedBackbonesOf(card),
  };
}

/** The backbone weights each transfer model's runs recorded (the first finished run's; every seed loads the same). */
export function usedBackbonesOf(card: ExperimentCard): Record<string, UsedBackbone> {
  const used: Record<string, UsedBackbone> = {};
  for (const r of card.results) {
    if (r.status !== 'ok' || !r.backbone || used[r.modelId]) continue;
    used[r.modelId] = { weightsId: r.backbone.weightsId, pixelRange: r.backbone.pixelRange, origin: r.backbone.origin };
  }
  return used;
}
