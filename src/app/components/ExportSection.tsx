/**
 * Step 5: take the models home. Each model downloads as a zip of the two TF.js files (model.json + weights.bin,
 * loadable with tf.loadLayersModel); "Download all" adds results.json and report.md.
 */
import { useState } from 'react';
import { formatBytes, renderMarkdownReport, renderResultsJson } from '../../lab/report';
import type { BackendInfo, DatasetInfo, ModelFilesData, ModelResult, RunSettings } from '../../worker/protocol';
import { zipAll, zipModel } from '../lib/bundle';
import { saveBlob } from '../lib/download';
import { modelFiles } from '../state/artefacts';
import { ClassifyPanel } from './ClassifyPanel';
import { Section } from './Section';

interface Props {
  results: ModelResult[];
  downloaded: Record<string, boolean>;
  dataset: DatasetInfo | null;
  runSettings: RunSettings | null;
  backend: BackendInfo | null;
  onDownloaded: (ids: string[]) => void;
  onError: (message: string) => void;
}

/** Settings and data behind the results, written into both reports. */
function reportMeta(props: Props) {
  const d = props.dataset?.summary;
  const perSplit = d && { train: d.splits.train.perClass, val: d.splits.val.perClass, test: d.splits.test.perClass };
  const patients = d && { train: d.splits.train.patients, val: d.splits.val.patients, test: d.splits.test.patients };
  return {
    title: 'X-Ray Lab comparison',
    dataset: d
      ? { name: d.source, images: d.images, classes: d.classNames, positiveClass: d.classNames[d.positiveClass], perSplit, patients, skipped: d.skipped.length }
      : null,
    settings: props.runSettings,
    backend: props.backend ? { name: props.backend.name, adapter: props.backend.adapter } : null,
    browser: navigator.userAgent,
  };
}

export function ExportSection(props: Props) {
  const [busy, setBusy] = useState(false);
  const withFiles = props.results.filter((r) => modelFiles(r.modelId));

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

  const downloadOne = (id: string) => run(async () => {
    saveBlob(await zipModel(modelFiles(id)!), `xray-lab-${id}.zip`);
    props.onDownloaded([id]);
  });

  const downloadAll = () => run(async () => {
    const files = new Map<string, ModelFilesData>();
    for (const r of withFiles) files.set(r.modelId, modelFiles(r.modelId)!);
    const records = props.results.map((r) => r.record);
    const meta = reportMeta(props);
    saveBlob(await zipAll(files, renderResultsJson(records, meta), renderMarkdownReport(records, meta)), 'xray-lab-results.zip');
    props.onDownloaded(props.results.map((r) => r.modelId));
  });

  return (
    <Section step={5} id="export" title="Export"
      intro="Download the trained models as TF.js files, load one back, and classify X-rays with it. Nothing leaves your machine.">
      {props.results.length === 0 ? (
        <p className="placeholder">Train a model first.</p>
      ) : (
        <>
          <ul className="downloads">
            {props.results.map((r) => {
              const has = modelFiles(r.modelId) != null;
              return (
                <li key={r.modelId}>
                  <span className="download-label">{r.record.label}</span>
                  {props.downloaded[r.modelId] && <span className="tag is-ok">saved</span>}
                  <button type="button" data-testid={`download-${r.modelId}`} disabled={!has || busy} onClick={() => downloadOne(r.modelId)}>
                    {has ? `model.json + weights.bin · ${formatBytes(modelFiles(r.modelId)!.weights.byteLength)}` : 'nothing to download (failed)'}
                  </button>
                </li>
              );
            })}
          </ul>
          <button type="button" className="primary" data-testid="download-all" disabled={busy} onClick={downloadAll}>
            Download all — models, results.json, report.md
          </button>
        </>
      )}
      <ClassifyPanel results={withFiles} onError={props.onError} />
    </Section>
  );
}
