/**
 * The CLI's side of transfer learning: which `--weights PATH` goes with which transfer model, reading and checking
 * them (before any image is decoded, so a wrong file fails fast), and making them the ones runs use.
 */
import { describeBackboneWeights } from '../lab/transfer/backbone-weights';
import { backboneSpec, isBackboneId, type BackboneId } from '../lab/transfer/backbones';
import { loadWeightsFromFiles } from '../lab/transfer/load-weights';
import { readWeightsPath } from '../lab/transfer/node/read-weights-path';
import { KERAS_PREPROCESSING, TF_HUB_PREPROCESSING, type Preprocessing } from '../lab/transfer/source-weights';
import { provideBackboneWeights } from '../lab/transfer/transfer-context';
import { BackboneNotLoadedError } from '../lab/registry';
import { CliError } from './cli-error';

/**
 * Assigns `--weights` values to the transfer models of `--models`: `ID=PATH`, or a bare `PATH` when only one
 * transfer model is listed. Every transfer model must get one.
 */
export function assignWeights(transferIds: string[], values: string[]): Map<BackboneId, string> {
  const assigned = new Map<BackboneId, string>();
  for (const value of values) {
    const eq = /^([a-z0-9-]+)=(.+)$/.exec(value);
    if (eq && isBackboneId(eq[1])) {
      if (!transferIds.includes(eq[1])) throw new CliError(`--weights ${value}: ${eq[1]} is not among --models`);
      assigned.set(eq[1], eq[2]);
    } else if (transferIds.length === 1) {
      assigned.set(transferIds[0] as BackboneId, value);
    } else {
      throw new CliError(
        `--weights ${value}: ${
          transferIds.length === 0
            ? 'no transfer model (inception-v3, mobilenet-v2) is among --models'
            : `several transfer models are listed; write --weights ID=PATH (ids: ${transferIds.join(', ')})`
        }`,
      );
    }
  }
  for (const id of transferIds) {
    if (!assigned.has(id as BackboneId)) throw new BackboneNotLoadedError(id, backboneSpec(id).missingWeights);
  }
  return assigned;
}

/** `--preprocessing keras|tf-hub`: overrides the pixel range recorded with the weights. */
export function preprocessingOption(raw: string | undefined): Preprocessing | undefined {
  if (raw == null) return undefined;
  if (raw === 'keras') return KERAS_PREPROCESSING;
  if (raw === 'tf-hub') return TF_HUB_PREPROCESSING;
  throw new CliError(`--preprocessing must be keras ([-1, 1]) or tf-hub ([0, 1]) (got "${raw}")`);
}

/** Reads, checks and provides each backbone's weights; a wrong file throws naming its first unfit layer. */
export async function loadCliWeights(
  assigned: Map<BackboneId, string>,
  preprocessing: Preprocessing | undefined,
  log: (line: string) => void,
): Promise<void> {
  for (const [id, path] of assigned) {
    const started = Date.now();
    const weights = await loadWeightsFromFiles(id, await readWeightsPath(path), { preprocessing });
    provideBackboneWeights(weights);
    const info = describeBackboneWeights(weights);
    log(
      `${id}: weights from ${path}: ${info.network}${info.variant ? ` ${info.variant}` : ''}, ${info.params.toLocaleString('en')} parameters ` +
        `matched by ${info.matchedBy}, pixels in [${info.pixelRange.replace(',', ', ')}] (${info.convention}), id ${info.weightsId} ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
}
