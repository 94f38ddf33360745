/**
 * The error gallery: the test images of one confusion-matrix cell (e.g. NORMAL called PNEUMONIA), most confident
 * first, each with the run's score and a Grad-CAM overlay of the class it was called; other models of the same seed
 * can be put side by side on the same images. Heat maps are computed in the worker a page of images at a time (with
 * progress and Cancel), so a large test set never freezes the page; the worker disposes every tensor.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { runKeyId } from '../../lab/experiment/run-control';
import type { ExplainedImage, ModelResult } from '../../worker/protocol';
import { cellImages, decisionOf, galleryPage, testFileNames, type GalleryCell } from '../lib/gallery';
import type { InferenceActions } from '../state/use-inference';
import { DEFAULT_GRADCAM_VIEW, GradCamControls } from './GradCamControls';
import { HeatOverlay } from './HeatOverlay';
import '../explain.css';

interface Props {
  cell: GalleryCell;
  /** Every result on the page (the cell's run, and the runs it can be compared with). */
  results: ModelResult[];
  testImages: { files: string[]; labels: number[] } | null;
  threshold: number;
  inference: InferenceActions;
  onClose: () => void;
}

/** A number per result object: a run trained again (a new result, a new model under the same run id) is explained anew. */
const generations = new WeakMap<ModelResult, number>();
let nextGeneration = 1;
function runTag(run: ModelResult): string {
  let g = generations.get(run);
  if (g === undefined) generations.set(run, (g = nextGeneration++));
  return `${runKeyId(run)}#${g}`;
}
const keyOf = (run: ModelResult, index: number, cls: number) => `${runTag(run)}|${index}|${cls}`;

export function ErrorGallery({ cell, results, testImages, threshold, inference, onClose }: Props) {
  const [page, setPage] = useState(0);
  const [view, setView] = useState(DEFAULT_GRADCAM_VIEW);
  const [compareWith, setCompareWith] = useState<string[]>([]);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState(false);
  // Explanations of the images on the page, by run, image and class; `version` re-renders when one arrives.
  const cache = useRef(new Map<string, ExplainedImage>());
  const [, setVersion] = useState(0);
  const explaining = useRef<string | null>(null);

  const main = results.find((r) => runKeyId(r) === cell.runId) ?? null;
  const files = useMemo(() => (main ? testFileNames(main, testImages) : []), [main, testImages]);
  const images = useMemo(() => (main ? cellImages(main, files, cell, threshold) : []), [main, files, cell, threshold]);
  const shown = galleryPage(images, page);
  const others = results.filter(
    (r) => main && r.seed === cell.seed && r.modelId !== cell.modelId && r.labels.length === main.labels.length,
  );
  const runs = main ? [main, ...others.filter((o) => compareWith.includes(o.modelId))] : [];
  const job = JSON.stringify([runs.map(runTag), shown.items.map((i) => i.index), cell.predicted]);

  useEffect(() => setPage(0), [cell.runId, cell.trueClass, cell.predicted]);

  useEffect(() => {
    const off = inference.onExplainProgress((p) => {
      if (p.ref === explaining.current) setProgress({ done: p.done, total: p.total });
    });
    return () => void off();
  }, [inference]);

  useEffect(() => {
    let stale = false;
    let inFlight = false;
    setProblem(null);
    setCancelled(false);
    const wanted = new Set(runs.flatMap((r) => shown.items.map((i) => keyOf(r, i.index, cell.predicted))));
    for (const key of cache.current.keys()) if (!wanted.has(key)) cache.current.delete(key);
    void (async () => {
      for (const run of runs) {
        const runId = runKeyId(run);
        const missing = shown.items.filter((i) => !cache.current.has(keyOf(run, i.index, cell.predicted)));
        if (missing.length === 0) continue;
        try {
          const info = await inference.loadTrainedModel(runId);
          if (stale) return;
          explaining.current = info.ref;
          setProgress({ done: 0, total: missing.length });
          inFlight = true;
          const out = await inference.explainTestImages(
            info.ref,
            missing.map((i) => files[i.index]),
            missing.map((i) => i.label),
            cell.predicted,
          );
          inFlight = false;
          if (stale) return;
          out.forEach((e, k) => cache.current.set(keyOf(run, missing[k].index, cell.predicted), e));
          setVersion((v) => v + 1);
        } catch (err) {
          inFlight = false;
          if (stale) return;
          const message = (err as Error).message;
          if (/Grad-CAM cancelled/.test(message)) {
            setCancelled(true);
            break;
          }
          setProblem(`${run.record.label}: ${message}`);
        }
      }
      if (!stale) setProgress(null);
    })();
    return () => {
      stale = true;
      // The page moved on (another page, cell or comparison): stop the worker on what is no longer shown.
      if (inFlight) void inference.cancelExplain();
    };
    // `job` names everything the explanations depend on.
  }, [job]);

  if (!main) return null;
  const names = main.classNames;
  const k = names.length;
  const cellName = `${names[cell.trueClass]} called ${names[cell.predicted]}`;
  // How coarse the maps are (5×5 cells for the CNN at 64 px): a student should not read a cell as anatomy.
  const grids = runs.flatMap((run) => {
    const map = shown.items
      .map((i) => cache.current.get(keyOf(run, i.index, cell.predicted))?.maps[0])
      .find((m) => m != null);
    return map ? [{ label: run.record.label, ...map.coarse, size: map.size }] : [];
  });
  return (
    <div
      className="error-gallery"
      data-testid="error-gallery"
      data-model={cell.modelId}
      data-seed={cell.seed}
      data-count={images.length}
      data-true={names[cell.trueClass]}
      data-predicted={names[cell.predicted]}
    >
      <div className="gallery-head">
        <h3>
          {cellName} by {main.record.label}
          {new Set(results.map((r) => r.seed)).size > 1 ? ` · seed ${cell.seed}` : ''}
          <span className="muted">
            {' '}
            — {images.length} test image{images.length === 1 ? '' : 's'}, most confident first
          </span>
        </h3>
        <button type="button" data-testid="gallery-close" onClick={onClose}>
          Close
        </button>
      </div>
      <GradCamControls view={view} onChange={setView} />
      <p className="note">
        The overlay shows where each network finds its evidence for <strong>{names[cell.predicted]}</strong> (Grad-CAM
        at its last convolutional features, scaled to each map&rsquo;s maximum).
        {grids.length > 0 && (
          <span data-testid="gallery-map-resolution">
            {' '}
            Each map has only{' '}
            {grids.map((g) => `${g.width}×${g.height} cells${runs.length > 1 ? ` (${g.label})` : ''}`).join(', ')} over
            the {grids[0].size}×{grids[0].size} px image, smoothed: it points at a region, not at an anatomical detail.
          </span>
        )}
      </p>
      {others.length > 0 && (
        <div className="gallery-compare">
          <span>Compare side by side with:</span>
          {others.map((o) => (
            <label key={o.modelId}>
              <input
                type="checkbox"
                data-testid={`gallery-compare-${o.modelId}`}
                checked={compareWith.includes(o.modelId)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setCompareWith((list) => (on ? [...list, o.modelId] : list.filter((id) => id !== o.modelId)));
                }}
              />{' '}
              {o.record.label}
            </label>
          ))}
        </div>
      )}
      {progress && (
        <p className="note" data-testid="gallery-progress">
          Computing heat maps: <progress max={progress.total} value={progress.done} /> {progress.done}/{progress.total}{' '}
          <button type="button" data-testid="gallery-cancel" onClick={() => void inference.cancelExplain()}>
            Cancel
          </button>
        </p>
      )}
      {cancelled && (
        <p className="note" data-testid="gallery-cancelled">
          Heat maps cancelled: change the page to compute them again.
        </p>
      )}
      {problem && (
        <p className="note is-warning" data-testid="gallery-problem">
          {problem}
        </p>
      )}
      {images.length === 0 ? (
        <p className="placeholder">No test image falls in this cell at threshold {threshold.toFixed(2)}.</p>
      ) : (
        <ul className="gallery-items">
          {shown.items.map((item) => {
            const first = cache.current.get(keyOf(main, item.index, cell.predicted));
            return (
              <li
                key={item.index}
                data-testid="gallery-item"
                data-file={item.file}
                data-index={item.index}
                data-score={item.score.toFixed(4)}
                data-heat={first?.maps.length ? 'true' : 'false'}
              >
                <div className="gallery-views">
                  {runs.map((run) => {
                    const runId = runKeyId(run);
                    const e = cache.current.get(keyOf(run, item.index, cell.predicted));
                    const decided = decisionOf(run, item.index, threshold);
                    const p = run.probabilities[item.index * k + cell.predicted];
                    return (
                      <figure key={runId} className="gallery-view">
                        {e?.image ? (
                          <HeatOverlay
                            testId="gallery-heat"
                            model={run.modelId}
                            image={e.image}
                            heat={e.maps[0] ?? null}
                            view={view}
                            title={`${item.file} — ${run.record.label}`}
                          />
                        ) : (
                          <span className="heat-placeholder">{progress ? 'explaining…' : '—'}</span>
                        )}
                        <figcaption>
                          {runs.length > 1 && (
                            <>
                              {run.record.label}
                              <br />
                            </>
                          )}
                          P({names[cell.predicted]}) {p.toFixed(3)} · calls it{' '}
                          <strong className={decided === item.label ? 'is-ok' : 'is-bad'}>{names[decided]}</strong>
                        </figcaption>
                      </figure>
                    );
                  })}
                </div>
                <code className="gallery-file" title={item.file}>
                  {item.file}
                </code>
              </li>
            );
          })}
        </ul>
      )}
      {shown.pages > 1 && (
        <div className="button-row gallery-pages">
          <button
            type="button"
            data-testid="gallery-prev"
            disabled={shown.page === 0}
            onClick={() => setPage(shown.page - 1)}
          >
            ← Previous
          </button>
          <span data-testid="gallery-page">
            page {shown.page + 1} of {shown.pages}
          </span>
          <button
            type="button"
            data-testid="gallery-next"
            disabled={shown.page >= shown.pages - 1}
            onClick={() => setPage(shown.page + 1)}
          >
            Next →
          </button>
        </div>
      )}
    </div>
  );
}
