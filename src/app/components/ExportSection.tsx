/**
 * Step 5: take the results home, or bring saved ones back. Each trained model downloads as a zip of its TF.js files
 * (model.json + weights.bin, loadable with tf.loadLayersModel); "Download all" adds experiment.json (the experiment
 * card: settings, data identity and split, environment, results), results.json, report.md and a model card per run.
 * "Open experiment" shows a saved experiment.json or results.json without training.
 */
import { useState } from 'react';
import type { SkippedFile } from '../../lab/data/layout';
import { resultsBundle, type BundleRun } from '../../lab/experiment/results-bundle';
import { runKeyId } from '../../lab/experiment/run-control';
import { isEnsemble } from '../../lab/report/ensemble-record';
import { formatBytes } from '../../lab/report';
import type { ModelResult } from '../../worker/protocol';
import { zipAll, zipModel } from '../lib/bundle';
import { saveBlob } from '../lib/download';
import { modelFiles } from '../state/artefacts';
import type { ResultsContext } from '../state/lab-state';
import { cardOf } from '../state/results-card';
import type { ExportActions } from '../state/use-exports';
import type { InferenceActions } from '../state/use-inference';
import { ClassifyPanel } from './ClassifyPanel';
import { useShown } from '../lesson/lesson-context';
import { ModelFormats } from './ModelFormats';
import { PytorchExport } from './PytorchExport';
import { Section } from './Section';

interface Props {
  results: ModelResult[];
  context: ResultsContext | null;
  downloaded: Record<string, boolean>;
  busy: boolean;
  onDownloaded: (ids: string[]) => void;
  onOpen: (file: File) => void;
  /** Takes an opened experiment's settings over, to train it again on the loaded data. */
  onUseSettings: (experiment: ResultsContext['experiment']) => void;
  /** Files the loaded data's reading left out, for skipped.csv (none when the loaded data is not the results'). */
  skipped: readonly SkippedFile[];
  /** Fingerprint of the dataset loaded now, to say whether it is the one an opened experiment ran on. */
  datasetFingerprint: string | null;
  /** The worker's exports: standard formats and the PyTorch project. */
  exports: ExportActions;
  /** For the Classify panel. */
  inference: InferenceActions;
  onError: (message: string) => void;
}

/** `download-<id>` for a model's first seed (as with one seed), `download-<id>-seed-<n>` for the others. */
function downloadTestId(r: ModelResult, results: readonly ModelResult[]): string {
  const first = Math.min(...results.filter((x) => x.modelId === r.modelId).map((x) => x.seed));
  return r.seed === first ? `download-${r.modelId}` : `download-${r.modelId}-seed-${r.seed}`;
}

export function ExportSection(props: Props) {
  const [busy, setBusy] = useState(false);
  const shown = useShown();
  const { results, context } = props;
  // Seed ensembles have no model: no download, no classifying; Download all still carries their records.
  const trained = results.filter((r) => !isEnsemble(r.record));
  const withFiles = trained.filter((r) => modelFiles(runKeyId(r)));
  const seeds = [...new Set(trained.map((r) => r.seed))];
  const several = seeds.length > 1;

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (err) {
      props.onError(`Could not prepare the download: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const downloadOne = (r: ModelResult) =>
    run(async () => {
      saveBlob(
        await zipModel(modelFiles(runKeyId(r))!),
        `xray-lab-${r.modelId}${several ? `-seed-${r.seed}` : ''}.zip`,
      );
      props.onDownloaded([runKeyId(r)]);
    });

  // The bundle `compare --out` writes, laid out by the same core function (experiment/results-bundle.ts).
  const downloadAll = () =>
    run(async () => {
      if (!context) throw new Error('no results to save');
      const card = cardOf(context, results);
      const runs: BundleRun[] = [];
      for (const r of results) {
        const saved = modelFiles(runKeyId(r));
        // Copies: the zip may hand its buffers to a worker, and the page keeps these for later downloads.
        const files = saved
          ? {
              'model.json': saved.modelJson,
              'weights.bin': saved.weights.slice(),
              ...(await props.exports.standardFormats(saved)),
            }
          : null;
        runs.push({ key: r, record: r.record, files });
      }
      saveBlob(await zipAll(Object.fromEntries(resultsBundle(card, runs, props.skipped))), 'xray-lab-results.zip');
      props.onDownloaded(results.map(runKeyId));
    });

  const classify = shown('classify') ? (
    <ClassifyPanel results={withFiles} context={context} inference={props.inference} onError={props.onError} />
  ) : null;
  // A lesson that hides the downloads may still let the class try a model on X-rays.
  if (!shown('export'))
    return (
      classify && (
        <Section step={5} id="classify" title="Classify">
          {classify}
        </Section>
      )
    );
  return (
    <Section
      step={5}
      id="export"
      title="Export"
      intro="Download the trained models as TF.js files with the experiment card, open a saved experiment, and try a model on X-rays. Nothing leaves your machine."
    >
      {results.length === 0 ? (
        <p className="placeholder">Train a model first.</p>
      ) : (
        <>
          <ul className="downloads">
            {trained.map((r) => {
              const id = runKeyId(r);
              const saved = modelFiles(id);
              return (
                <li key={id}>
                  <span className="download-label">
                    {r.record.label}
                    {several ? ` · seed ${r.seed}` : ''}
                  </span>
                  {props.downloaded[id] && <span className="tag is-ok">saved</span>}
                  <button
                    type="button"
                    data-testid={downloadTestId(r, trained)}
                    disabled={!saved || busy}
                    onClick={() => downloadOne(r)}
                  >
                    {saved
                      ? `lab TF.js (compact; needs X-Ray Lab) · ${formatBytes(saved.weights.byteLength)}`
                      : context?.origin.kind === 'file'
                        ? 'not in the opened file'
                        : 'nothing to download (failed)'}
                  </button>
                  <ModelFormats
                    result={r}
                    testId={downloadTestId(r, trained)}
                    stem={`xray-lab-${r.modelId}${several ? `-seed-${r.seed}` : ''}`}
                    disabled={busy}
                    exports={props.exports}
                    onError={props.onError}
                  />
                </li>
              );
            })}
          </ul>
          <button
            type="button"
            className="primary"
            data-testid="download-all"
            disabled={busy || !context?.data}
            onClick={downloadAll}
          >
            Download all — experiment.json, models, results.json, report.md, model cards
          </button>
          <PytorchExport
            results={trained}
            context={context}
            disabled={busy}
            exports={props.exports}
            onError={props.onError}
          />
        </>
      )}
      <div className="open-experiment">
        <label className="field">
          <span className="field-label">Open a saved experiment</span>
          <input
            type="file"
            accept=".json,application/json"
            data-testid="open-experiment-input"
            disabled={props.busy}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) props.onOpen(file);
            }}
          />
          <span className="field-hint">
            experiment.json or results.json from "Download all" or <code>xray-lab compare --out</code>: its table,
            curves and cards, without training
          </span>
        </label>
        {context?.origin.kind === 'file' && (
          <p className="note" data-testid="opened-experiment">
            Showing <strong>{context.origin.name}</strong>: {context.experiment.models.join(', ')} × seeds{' '}
            {context.experiment.seeds.join(', ')} on {context.data?.source}.{' '}
            <button
              type="button"
              data-testid="use-experiment-settings"
              disabled={props.busy}
              onClick={() => props.onUseSettings(context.experiment)}
            >
              Use its settings
            </button>{' '}
            then press Train to run it again on the loaded data.
            {props.datasetFingerprint != null &&
              context.data?.identity.fingerprint &&
              props.datasetFingerprint !== context.data.identity.fingerprint && (
                <span className="is-warning" data-testid="card-data-mismatch">
                  {' '}
                  The loaded dataset is not the one it ran on (fingerprint {props.datasetFingerprint}, the card&rsquo;s{' '}
                  {context.data.identity.fingerprint}): metrics will differ.
                </span>
              )}
          </p>
        )}
      </div>
      {classify}
    </Section>
  );
}
