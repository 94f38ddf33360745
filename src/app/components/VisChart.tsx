/**
 * The one bridge to the chart renderers. Line charts (learning curves, ROC curves) are vega views that stay alive:
 * each chart parses its frame once (chart-vega.ts) and new points are streamed into it, so an update re-runs vega's
 * dataflow instead of compiling and embedding a whole chart again, as tfjs-vis does on every draw (a quarter to a
 * whole second of main thread each on a slow laptop, measured with the CPU throttled 4×). vega is the renderer
 * tfjs-vis itself draws with (the same version, so the bundle holds one copy); tfjs-vis still draws the confusion
 * kind. Both draw into a DOM node they own, so React hands them an empty <div> and never renders inside it, and
 * both load on first use (separate chunks).
 *
 * Updates are still main-thread work, so they are (1) queued one per task, never several in one long task,
 * (2) rate-limited per chart (at most once a second) while data streams in during training, (3) made only while
 * the chart is on screen or about to be: a chart scrolled away waits, and draws its latest data when it comes back,
 * and (4) spaced so that drawing takes at most a tenth of the main thread (CHART_SHARE).
 */
import { memo, useContext, useEffect, useId, useMemo, useRef, useState, type RefObject } from 'react';
import type { Runtime, View } from 'vega';
import type { ChartSpec } from '../lib/chart-spec';
import { chartDescription } from '../lib/chart-text';
import { lineData, lineFrameKey, lineVegaSpec, streamLineData, type LineChartSpec } from '../lib/chart-vega';
import { PRESENT_CHART_SCALE, PresentationContext } from '../lesson/presentation-mode';

type VisModule = typeof import('@tensorflow/tfjs-vis');
type VegaModule = typeof import('vega');

let vis: Promise<VisModule> | null = null;
const loadVis = (): Promise<VisModule> => (vis ??= import('@tensorflow/tfjs-vis'));
let vega: Promise<VegaModule> | null = null;
const loadVega = (): Promise<VegaModule> => (vega ??= import('vega'));

/** A line chart's live vega view, and the frame (lineFrameKey) it was built for. */
interface LiveView {
  view: View;
  frame: string;
}

/**
 * Loads vega while the page is idle and draws one throw-away chart, so neither parsing its chunk nor vega's
 * first-draw set-up (and the JIT warming to it) lands in the middle of a training run as a long task.
 */
export function preloadCharts(): void {
  const warmUp: LineChartSpec = {
    kind: 'line',
    series: ['a'],
    values: [[0, 1]],
    xLabel: 'x',
    yLabel: 'y',
    xType: 'ordinal',
  };
  const start = () => {
    const scratch = document.createElement('div');
    const live: { current: LiveView | null } = { current: null };
    enqueue(() => drawLine(scratch, live, warmUp, 100, { width: 200 }).finally(() => live.current?.view.finalize()));
  };
  if ('requestIdleCallback' in window) window.requestIdleCallback(start, { timeout: 3000 });
  else setTimeout(start, 1000);
}

/**
 * The most of the main thread that chart drawing may take: after a draw of d ms the next waits d × (1 / share − 1).
 * A vega draw cannot be split, so on a slow laptop the charts update less often rather than the page stuttering.
 */
const CHART_SHARE = 0.1;

let queue: Promise<void> = Promise.resolve();
/** The earliest time (performance.now()) the next draw may start. */
let nextDrawAt = 0;
/** Runs drawing jobs one at a time, each starting in a fresh task, within CHART_SHARE of the main thread. */
function enqueue(job: () => Promise<void>): void {
  queue = queue.then(
    () =>
      new Promise<void>((resolve) =>
        setTimeout(
          () => {
            const start = performance.now();
            void job()
              .catch(() => undefined)
              .finally(() => {
                const end = performance.now();
                nextDrawAt = end + (end - start) * (1 / CHART_SHARE - 1);
                resolve();
              });
          },
          Math.max(0, nextDrawAt - performance.now()),
        ),
      ),
  );
}

/** Parsed line-chart frames by lineFrameKey (a parse is ~30 times the cost of a copy). */
const parsedFrames = new Map<string, Runtime>();

/** Resolves in a fresh task, so that the work after it is a task of its own (a key press can be answered between). */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Draws a line spec into `el` through the chart's live view: a new view when there is none yet or its frame changed
 * (labels, axis type, height), otherwise this data streamed into the one drawn.
 */
async function drawLine(
  el: HTMLElement,
  live: { current: LiveView | null },
  spec: LineChartSpec,
  height: number,
  o: { width?: number; alive?: () => boolean } = {},
): Promise<void> {
  const vg = await loadVega();
  const data = lineData(spec);
  if (data.rows.length === 0) return;
  const width = o.width ?? Math.max(160, el.clientWidth);
  const frame = lineFrameKey(spec, height);
  if (live.current?.frame !== frame) {
    live.current?.view.finalize();
    live.current = null;
    // Building a view is the costly step (parsing the spec, then wiring its dataflow): each in a task of its own,
    // and a frame parsed once for every chart that shares it (each model's loss chart), a copy per view.
    let runtime = parsedFrames.get(frame);
    if (!runtime) {
      runtime = vg.parse(lineVegaSpec(spec, { width, height }));
      parsedFrames.set(frame, runtime);
      await nextTask();
    }
    if (o.alive && !o.alive()) return;
    el.replaceChildren();
    const view = new vg.View(structuredClone(runtime), {
      renderer: 'canvas',
      container: el,
      // Nothing on the chart reacts to the pointer: no hover pass over the scene on every mouse move.
      hover: false,
    });
    live.current = { view, frame };
    await nextTask();
  }
  const view = live.current?.view;
  if (!view || (o.alive && !o.alive())) return;
  if (view.width() !== width) view.width(width);
  await streamLineData(view, data, vg);
}

async function drawConfusion(el: HTMLElement, spec: Extract<ChartSpec, { kind: 'confusion' }>, height: number) {
  const v = await loadVis();
  await v.render.confusionMatrix(
    el,
    { values: spec.matrix, tickLabels: spec.labels },
    {
      width: Math.max(160, el.clientWidth),
      height,
      shadeDiagonal: true,
      showTextOverlay: true,
      fontSize: 11,
    },
  );
}

/** Number of real points, for tests and for skipping empty charts. */
function pointCount(spec: ChartSpec): number {
  if (spec.kind === 'confusion') return spec.matrix.flat().length;
  return spec.values.reduce((n, s) => n + s.filter((y) => y != null && Number.isFinite(y)).length, 0);
}

interface Props {
  spec: ChartSpec;
  height: number;
  /** What the chart shows, for screen readers. */
  label: string;
  testId?: string;
  /** Redraw at most this often (ms) while the data keeps changing. */
  minIntervalMs?: number;
}

const LEGEND = {
  display: 'flex',
  flexWrap: 'wrap',
  gap: '0.15rem 0.9rem',
  listStyle: 'none',
  margin: '0.2rem 0 0',
  padding: 0,
  fontSize: '0.75rem',
} as const;
const LEGEND_ITEM = { display: 'flex', alignItems: 'center', gap: '0.35rem' } as const;
const SWATCH = { display: 'inline-block', width: '1.1rem', height: '3px', borderRadius: '2px' } as const;

/** Redraw no more often than this by default (ms). */
const DEFAULT_MIN_INTERVAL_MS = 1000;

/** Whether an element is within (or 300 px short of) the viewport; true where IntersectionObserver is missing. */
function useNearViewport(ref: RefObject<HTMLElement | null>): boolean {
  const [near, setNear] = useState(typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return undefined;
    const observer = new IntersectionObserver((entries) => setNear(entries.some((e) => e.isIntersecting)), {
      rootMargin: '300px 0px',
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return near;
}

function VisChartView({ spec, height: baseHeight, label, testId, minIntervalMs = DEFAULT_MIN_INTERVAL_MS }: Props) {
  // Presentation mode draws charts taller, for a projector at the back of a classroom.
  const height = useContext(PresentationContext) ? Math.round(baseHeight * PRESENT_CHART_SCALE) : baseHeight;
  const ref = useRef<HTMLDivElement>(null);
  const outer = useRef<HTMLDivElement>(null);
  const near = useNearViewport(outer);
  const describedBy = useId();
  const lastDraw = useRef(0);
  const liveView = useRef<LiveView | null>(null);
  // A view being built over several tasks is dropped if the chart goes away meanwhile.
  const mounted = useRef(true);
  const key = JSON.stringify(spec);
  // The parent re-renders on every progress message: derive from the data only when it changed.
  const { points, legend, description } = useMemo(() => {
    const drawn = JSON.parse(key) as ChartSpec;
    return {
      points: pointCount(drawn),
      legend: drawn.kind === 'line' ? lineData(drawn) : null,
      description: chartDescription(drawn),
    };
  }, [key]);

  useEffect(() => {
    if (points === 0 || !near) return;
    const delay = Math.max(0, lastDraw.current + minIntervalMs - performance.now());
    let current = true;
    const timer = setTimeout(() => {
      enqueue(async () => {
        if (!current || !ref.current) return;
        lastDraw.current = performance.now();
        const drawn = JSON.parse(key) as ChartSpec;
        if (drawn.kind === 'line')
          await drawLine(ref.current, liveView, drawn, height, { alive: () => mounted.current });
        else await drawConfusion(ref.current, drawn, height);
        ref.current?.parentElement?.setAttribute('data-rendered', 'true');
      });
    }, delay);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key, height, minIntervalMs, points, near]);

  // A view listens to the window (resize) and holds timers until finalized.
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      liveView.current?.view.finalize();
      liveView.current = null;
    };
  }, []);

  return (
    // data-spec: the data drawn, for tests that compare a chart before and after a reload.
    <>
      <div
        ref={outer}
        className="vis-chart"
        role="img"
        aria-label={label}
        aria-describedby={describedBy}
        data-testid={testId}
        data-points={points}
        data-spec={key}
        style={{ minHeight: height }}
      >
        {points === 0 && <p className="vis-empty">No data yet</p>}
        <div ref={ref} className="vis-draw" />
        {legend && legend.series.length > 0 && (
          // Drawn by the page rather than by vega: cheaper to update, and it reflows with the text.
          <ul className="vis-legend" data-testid={testId ? `${testId}-legend` : undefined} style={LEGEND}>
            {legend.series.map((name, i) => (
              <li key={name} style={LEGEND_ITEM}>
                <span aria-hidden="true" style={{ ...SWATCH, background: legend.colors[i] }} />
                {name}
              </li>
            ))}
          </ul>
        )}
      </div>
      {/* The numbers behind the picture, for screen readers (the chart's text alternative). */}
      <p id={describedBy} className="visually-hidden" data-testid={testId ? `${testId}-text` : undefined}>
        {description}
      </p>
    </>
  );
}

/** Re-rendered only when its props change: a parent's render with the same spec object costs nothing. */
export const VisChart = memo(VisChartView);
