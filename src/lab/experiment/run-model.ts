/**
 * One registry model, one seed: build → train → evaluate → time, as one plain record. The registry entry says how
 * its model runs (`runner`); this file only looks the runner up, so nothing here knows a model's family.
 */
import { findModel, type ModelEntry, type ModelRunner } from '../registry/registry';
import type { RunConfig } from './run-config';
import { runImageModel } from './run-image';
import { runTransferModel } from './run-transfer';
import {
  failedRun,
  recordBaseOf,
  type ExperimentData,
  type ModelRun,
  type RecordBase,
  type RunCallbacks,
  type RunOptions,
} from './run-types';

export type { ExperimentData, ModelRun, RunCallbacks, RunOptions, RunPhase } from './run-types';

type Runner = (
  entry: ModelEntry,
  base: RecordBase,
  data: ExperimentData,
  config: RunConfig,
  callbacks: RunCallbacks,
  signal: AbortSignal | undefined,
  options: RunOptions,
) => Promise<ModelRun>;

const RUNNERS: Record<ModelRunner, Runner> = {
  image: (entry, base, data, config, callbacks, signal) => runImageModel(entry, base, data, config, callbacks, signal),
  transfer: runTransferModel,
};

/**
 * Runs one model with one run's settings. Never throws for a model-level failure (an unknown id, a bad size, a
 * backend error, no backbone weights): the record says `failed` with the reason, so a queue goes on with the next
 * model. A cancelled run is still evaluated with the weights it kept. The returned model is the caller's.
 */
export async function runModel(
  modelId: string,
  data: ExperimentData,
  config: RunConfig,
  callbacks: RunCallbacks = {},
  signal?: AbortSignal,
  options: RunOptions = {},
): Promise<ModelRun> {
  const base = recordBaseOf(modelId, config, data.train.classNames);
  callbacks.onPhase?.('building');
  let entry: ModelEntry;
  try {
    entry = findModel(modelId);
  } catch (err) {
    return failedRun(base, err);
  }
  return RUNNERS[entry.runner](entry, { ...base, label: entry.label }, data, config, callbacks, signal, options);
}
