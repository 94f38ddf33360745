/**
 * Classify X-rays with a model: one trained here, or model files downloaded earlier (model.json + weights.bin, or
 * their zip, or a model.onnx). TF.js files go through the worker's loader as a trained model does, so the page predicts
 * what the files predict; a model.onnx runs in onnxruntime-web, on the same decoded pixels.
 */
import { useRef, useState } from 'react';
import { unzipSync } from 'fflate';
import { pickFromDataTransfer } from '../../lab/data/browser/drop';
import type { Classification, ExplainedImage, LoadedModelInfo, ModelResult, PickedFile } from '../../worker/protocol';
import { runKeyId } from '../../lab/experiment/run-control';
import { formatInteger, formatRatio, formatWithInterval } from '../../lab/report/format';
import { positiveApplies } from '../../lab/report/multi-class-record';
import type { ResultsContext } from '../state/lab-state';
import type { InferenceActions } from '../state/use-inference';
import { DEFAULT_GRADCAM_VIEW, GradCamControls } from './GradCamControls';
import { HeatOverlay } from './HeatOverlay';
import { RgbaImage } from './RgbaImage';
import '../explain.css';

interface Props {
  results: ModelResult[];
  /** The experiment the trained models came from: what they trained on. */
  context: ResultsContext | null;
  inference: InferenceActions;
  onError: (message: string) => void;
}

/**
 * What the chosen model learnt from and how it scored, and what it is not for: a model trained on the phantom demo
 * calls real X-rays anything with full confidence, and nothing else on the page would say so.
 */
function ModelFacts({ trained, context }: { trained: ModelResult | null; context: ResultsContext | null }) {
  const r = trained?.record;
  const data = context?.data;
  const test = r?.test;
  return (
    <div className="classify-facts" data-testid="classify-facts">
      {r && data ? (
        <p data-testid="classify-training-data">
          <strong>{r.label}</strong> trained on{' '}
          {data.kind === 'demo' ? (
            <strong>generated phantom images, not real X-rays</strong>
          ) : (
            <strong>{data.source}</strong>
          )}{' '}
          ({formatInteger(data.split.train.length)} training images, {data.classNames.join(' / ')}, {r.inputSize}×
          {r.inputSize} px, {r.epochsRun} epochs).
          {test && (
            <>
              {' '}
              On its {formatInteger(test.count)} test images: accuracy{' '}
              {formatWithInterval(test.accuracy, test.ci?.accuracy)},
              {positiveApplies(test) ? (
                <>
                  {' '}
                  sensitivity {formatRatio(test.sensitivity)}, specificity {formatRatio(test.specificity)},
                </>
              ) : (
                <> balanced accuracy {formatRatio(test.multiClass?.balancedAccuracy)},</>
              )}{' '}
              {test.multiClass ? 'macro AUC' : 'AUC'} {formatWithInterval(test.auc, test.ci?.auc)}
              {test.ci ? ` (${Math.round(test.ci.level * 100)}% intervals)` : ''}.
            </>
          )}
        </p>
      ) : r ? (
        <p data-testid="classify-training-data">
          <strong>{r.label}</strong>: what it trained on is not known here.
        </p>
      ) : (
        <p data-testid="classify-training-data">
          A model loaded from files: what it trained on is not known here; see its model card.
        </p>
      )}
      <p className="note is-warning" data-testid="classify-caveat">
        <strong>For teaching and research, not for diagnosis.</strong> A model knows only images like those it trained
        on: on X-rays from another hospital, scanner or population its scores can be confidently wrong, and a
        probability of 0.999 is not a medical finding.
        {data?.kind === 'demo' && ' This one learnt from drawn phantoms, so its answers on real X-rays mean nothing.'}
      </p>
    </div>
  );
}

/** model.json text and weights bytes from picked files: the pair itself, or a zip holding it. */
async function readModelFiles(files: File[]): Promise<{ name: string; modelJson: string; weights: ArrayBuffer }> {
  // A zip is recognised by its signature ("PK\x03\x04"), not its name: saved files are often renamed.
  const head = files.length === 1 ? new Uint8Array(await files[0].slice(0, 4).arrayBuffer()) : null;
  if (head && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4) {
    const entries = unzipSync(new Uint8Array(await files[0].arrayBuffer()));
    const json = Object.keys(entries).find((n) => n.endsWith('model.json'));
    const bin = Object.keys(entries).find((n) => n.endsWith('.bin'));
    if (!json || !bin) throw new Error(`${files[0].name}: the zip holds no model.json and .bin weights file`);
    const w = entries[bin];
    return {
      name: files[0].name,
      modelJson: new TextDecoder().decode(entries[json]),
      weights: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
    };
  }
  const json = files.find((f) => f.name.endsWith('.json'));
  const bin = files.find((f) => f.name.endsWith('.bin'));
  if (!json || !bin)
    throw new Error('choose both model.json and its weights .bin file (or the zip the lab downloaded)');
  return { name: json.name, modelJson: await json.text(), weights: await bin.arrayBuffer() };
}

export function ClassifyPanel({ results, context, inference, onError }: Props) {
  // Models the worker holds, by ref; `fromFiles` lists the ones the user loaded (the trained ones come from props).
  const [inWorker, setInWorker] = useState<Record<string, LoadedModelInfo>>({});
  const [fromFiles, setFromFiles] = useState<{ ref: string; name: string }[]>([]);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [predictions, setPredictions] = useState<{ classNames: string[]; items: Classification[] }>({
    classNames: [],
    items: [],
  });
  // Grad-CAM of the classified images (by position), computed in the worker after the scores are shown.
  const [heat, setHeat] = useState<{ items: ExplainedImage[]; busy: boolean; note: string | null }>({
    items: [],
    busy: false,
    note: null,
  });
  const [view, setView] = useState(DEFAULT_GRADCAM_VIEW);
  const job = useRef(0);

  const trainedRef = (r: ModelResult) => `trained:${runKeyId(r)}`;
  const several = new Set(results.map((r) => r.seed)).size > 1;
  const options = [
    ...results.map((r) => ({
      ref: trainedRef(r),
      name: `${r.record.label}${several ? ` · seed ${r.seed}` : ''} (trained here)`,
    })),
    ...fromFiles.map((l) => ({ ref: l.ref, name: `${l.name} (loaded from files)` })),
  ];
  const selected = options.some((o) => o.ref === choice) ? choice : (options[0]?.ref ?? '');

  const guard = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const loadFiles = (files: File[]) =>
    guard(async () => {
      if (files.length === 1 && files[0].name.toLowerCase().endsWith('.onnx')) {
        const bytes = await files[0].arrayBuffer();
        const info = await inference.loadOnnxModel(files[0].name, bytes);
        setInWorker((m) => ({ ...m, [info.ref]: info }));
        setFromFiles((l) => [...l, { ref: info.ref, name: files[0].name }]);
        setChoice(info.ref);
        return;
      }
      const { name, modelJson, weights } = await readModelFiles(files);
      const info = await inference.loadModelFiles(name, modelJson, weights);
      setInWorker((m) => ({ ...m, [info.ref]: info }));
      setFromFiles((l) => [...l, { ref: info.ref, name }]);
      setChoice(info.ref);
    });

  const classify = (images: PickedFile[]) =>
    guard(async () => {
      if (!selected) throw new Error('train a model or load model files first');
      const trained = results.find((r) => trainedRef(r) === selected);
      let info = inWorker[selected];
      if (trained) {
        // Loaded once per trained run (shared with the error gallery); a retrained model replaces its predecessor.
        info = await inference.loadTrainedModel(runKeyId(trained));
        setInWorker((m) => ({ ...m, [info.ref]: info }));
      }
      const items = await inference.classify(selected, images);
      setPredictions({ classNames: info?.classNames ?? [], items });
      void explain(selected, images);
    });

  /** Heat maps of the predicted class for the images just classified; a newer classification supersedes them. */
  const explain = async (ref: string, images: PickedFile[]) => {
    const mine = ++job.current;
    setHeat({ items: [], busy: true, note: null });
    try {
      const items = await inference.explainFiles(ref, images);
      if (mine === job.current) setHeat({ items, busy: false, note: null });
    } catch (err) {
      const message = (err as Error).message;
      if (mine === job.current)
        setHeat({
          items: [],
          busy: false,
          note: /Grad-CAM cancelled/.test(message) ? 'Heat maps cancelled.' : `No heat maps: ${message}`,
        });
    }
  };

  return (
    <div className="classify">
      <h3>Classify X-rays</h3>
      <div className="classify-controls">
        <label className="field">
          <span className="field-label">Model</span>
          <select
            value={selected}
            data-testid="classify-model"
            onChange={(e) => setChoice(e.currentTarget.value)}
            disabled={options.length === 0}
          >
            {options.length === 0 && <option value="">no model yet</option>}
            {options.map((o) => (
              <option key={o.ref} value={o.ref}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
        <label className="file-button">
          Load model files…
          <input
            type="file"
            multiple
            accept=".json,.bin,.zip,.onnx"
            className="visually-hidden"
            data-testid="classify-model-input"
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = '';
              if (files.length > 0) void loadFiles(files);
            }}
          />
        </label>
      </div>
      {options.length > 0 && (
        <ModelFacts trained={results.find((r) => trainedRef(r) === selected) ?? null} context={context} />
      )}
      <div
        className="dropzone is-small"
        onDragOver={(e) => e.preventDefault()}
        onDrop={async (e) => {
          // Before any await: the browser empties the DataTransfer once the handler returns.
          const picking = pickFromDataTransfer(e.dataTransfer);
          e.preventDefault();
          const dropped = await picking.catch((err: Error) => onError(err.message));
          if (dropped && dropped.kind === 'files') void classify(dropped.files.filter((f) => !f.path.endsWith('/')));
        }}
      >
        <p className="dropzone-title">Drop X-ray images here</p>
        <label className="file-button">
          or choose images…
          <input
            type="file"
            multiple
            accept="image/png,image/jpeg"
            className="visually-hidden"
            data-testid="classify-input"
            disabled={busy || !selected}
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = '';
              if (files.length > 0) void classify(files.map((f) => ({ path: f.name, file: f })));
            }}
          />
        </label>
      </div>
      {busy && <p className="note">Working…</p>}
      {predictions.items.length > 0 && (
        <div className="classify-gradcam">
          <GradCamControls view={view} onChange={setView} />
          {heat.busy && (
            <p className="note" data-testid="classify-gradcam-busy">
              Computing heat maps…{' '}
              <button
                type="button"
                data-testid="classify-gradcam-cancel"
                onClick={() => void inference.cancelExplain()}
              >
                Cancel
              </button>
            </p>
          )}
          {heat.note && (
            <p className="note is-warning" data-testid="classify-gradcam-note">
              {heat.note}
            </p>
          )}
        </div>
      )}
      {predictions.items.length > 0 && (
        <ul className="predictions">
          {predictions.items.map((p, i) => {
            const names = predictions.classNames;
            const explained = heat.items[i]?.file === p.file ? heat.items[i] : null;
            const best = p.predicted >= 0 ? (names[p.predicted] ?? `class ${p.predicted}`) : '';
            return (
              <li
                key={p.file}
                data-testid="classify-result"
                data-file={p.file}
                data-predicted={best}
                data-probabilities={JSON.stringify(p.probabilities)}
              >
                {explained?.image ? (
                  <span className="classify-heat">
                    <HeatOverlay
                      testId="classify-heat"
                      image={explained.image}
                      heat={explained.maps[0] ?? null}
                      view={view}
                      title={`${p.file}: Grad-CAM of ${best}`}
                    />
                  </span>
                ) : (
                  p.thumbnail && (
                    <RgbaImage
                      rgba={p.thumbnail.rgba}
                      side={p.thumbnail.side}
                      title={p.file}
                      className="thumb is-small"
                    />
                  )
                )}
                <div className="prediction-text">
                  <code>{p.file}</code>
                  {explained?.maps[0] && (
                    <span className="muted" data-testid="classify-map-resolution">
                      {' '}
                      heat map of {explained.maps[0].coarse.width}×{explained.maps[0].coarse.height} cells: a region,
                      not a detail
                    </span>
                  )}
                  {p.error ? (
                    <span className="is-error">{p.error}</span>
                  ) : (
                    <span className="prob-bars">
                      {p.probabilities.map((prob, c) => (
                        <span key={c} className={`prob ${c === p.predicted ? 'is-best' : ''}`}>
                          <span className="prob-name">{names[c]}</span>
                          <span className="prob-bar">
                            <span style={{ width: `${(prob * 100).toFixed(1)}%` }} />
                          </span>
                          <span className="prob-value">{prob.toFixed(3)}</span>
                        </span>
                      ))}
                    </span>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
