/**
 * The one bridge to tfjs-vis. tfjs-vis bundles its own Preact and vega and draws into a DOM node it owns, so React
 * hands it an empty <div> and never renders inside it. Charts are described by plain data (ChartSpec); tfjs-vis's
 * types stay in this file, and tfjs-vis itself loads on first use (a separate chunk).
 *
 * Drawing a vega chart is synchronous work on the main thread (a quarter to a whole second each on a slow laptop,
 * measured with the CPU throttled 4×), so draws are (1) queued one per task, never several in one long task,
 * (2) rate-limited per chart (at most once a second) while data streams in during training, (3) made only while
 * the chart is on screen or about to be: a chart scrolled away waits, and draws its latest data when it comes back,
 * and (4) spaced so that drawing takes at most a tenth of the main thread (CHART_SHARE).
 */
import { useContext, useEffect, useId, useRef, useState, type RefObject } from 'react';
import type { ChartSpec } from '../lib/chart-spec';
import { chartDescription } from '../lib/chart-text';
import { PRESENT_CHART_SCALE, PresentationContext } from '../lesson/presentation-mode';

type VisModule = typeof import('@tensorflow/tfjs-vis');

let vis: Promise<VisModule> | null = null;
const loadVis = (): Promise<VisModule> => (vis ??= import('@tensorflow/tfjs-vis'));

/**
 * Loads tfjs-vis while the page is idle and draws one throw-away chart, so neither parsing its 1.5 MB chunk nor
 * vega's first-draw set-up lands in the middle of a training run as a long task.
 */
export function preloadCharts(): void {
  const warmUp: ChartSpec = {
    kind: 'line',
    series: ['a'],
    values: [[0, 1]],
    xLabel: 'x',
    yLabel: 'y',
    xType: 'ordinal',
  };
  const start = () => {
    const scratch = document.createElement('div');
    enqueue(() => draw(scratch, warmUp, 50, 100));
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

/** Tableau 10, the palette vega draws with by default. */
const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];

/**
 * What tfjs-vis's linechart is given for a line spec. Series without one finite value are left out: vega warns
 * "Infinite extent" for them, and they draw nothing anyway. Colours are set, so a series keeps its colour whatever
 * else is drawn beside it.
 */
export function linePlot(spec: Extract<ChartSpec, { kind: 'line' }>): {
  values: { x: number; y: number }[][];
  series: string[];
  seriesColors: string[];
} {
  const kept = spec.series
    .map((name, i) => ({ name, ys: spec.values[i] ?? [] }))
    .filter((s) => s.ys.some((y) => y != null && Number.isFinite(y)));
  const longest = Math.max(0, ...kept.map((s) => s.ys.length));
  const step = spec.xStep ?? 1;
  // tfjs-vis indexes every series by the first one's length: pad, and let vega skip the nulls.
  const values = kept.map((s) =>
    Array.from({ length: longest }, (_, i) => ({ x: i * step, y: (s.ys[i] ?? null) as number })),
  );
  let next = 0;
  const seriesColors = kept.map((s) => spec.fixedColors?.[s.name] ?? PALETTE[next++ % PALETTE.length]);
  return { values, series: kept.map((s) => s.name), seriesColors };
}

async function draw(el: HTMLElement, spec: ChartSpec, height: number, fixedWidth?: number): Promise<void> {
  const v = await loadVis();
  const width = fixedWidth ?? Math.max(160, el.clientWidth);
  if (spec.kind === 'line') {
    const { values, series, seriesColors } = linePlot(spec);
    if (values.length === 0) return;
    await v.render.linechart(
      el,
      { values, series },
      {
        width,
        height,
        xLabel: spec.xLabel,
        yLabel: spec.yLabel,
        fontSize: 11,
        xType: spec.xType ?? 'quantitative',
        seriesColors,
        ...(spec.yDomain ? { yAxisDomain: spec.yDomain } : { zoomToFit: true }),
      },
    );
  } else {
    await v.render.confusionMatrix(
      el,
      { values: spec.matrix, tickLabels: spec.labels },
      {
        width,
        height,
        shadeDiagonal: true,
        showTextOverlay: true,
        fontSize: 11,
      },
    );
  }
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

export function VisChart({ spec, height: baseHeight, label, testId, minIntervalMs = DEFAULT_MIN_INTERVAL_MS }: Props) {
  // Presentation mode draws charts taller, for a projector at the back of a classroom.
  const height = useContext(PresentationContext) ? Math.round(baseHeight * PRESENT_CHART_SCALE) : baseHeight;
  const ref = useRef<HTMLDivElement>(null);
  const outer = useRef<HTMLDivElement>(null);
  const near = useNearViewport(outer);
  const describedBy = useId();
  const lastDraw = useRef(0);
  const key = JSON.stringify(spec);
  const points = pointCount(spec);

  useEffect(() => {
    if (points === 0 || !near) return;
    const delay = Math.max(0, lastDraw.current + minIntervalMs - performance.now());
    let live = true;
    const timer = setTimeout(() => {
      enqueue(async () => {
        if (!live || !ref.current) return;
        lastDraw.current = performance.now();
        await draw(ref.current, JSON.parse(key) as ChartSpec, height);
        ref.current?.parentElement?.setAttribute('data-rendered', 'true');
      });
    }, delay);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, height, minIntervalMs, points, near]);

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
      </div>
      {/* The numbers behind the picture, for screen readers (the chart's text alternative). */}
      <p id={describedBy} className="visually-hidden" data-testid={testId ? `${testId}-text` : undefined}>
        {chartDescription(spec)}
      </p>
    </>
  );
}
