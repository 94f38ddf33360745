/**
 * What the page's main thread did in its long tasks, from a Chromium performance trace (the devtools timeline and
 * V8's sampling profiler, as the Performance panel records them): for each task over `minMs` on a renderer's main
 * thread, its length and the functions (with their script) that took most of it by self time in the samples.
 * `npm run bench -- page-smoothness --trace` prints it, to find what to cut.
 */

/** The categories the DevTools Performance panel records, enough for tasks and CPU samples. */
export const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
  'disabled-by-default-v8.cpu_profiler',
];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of the event, µs. */
  tdur?: number;
  id?: string;
  args?: {
    name?: string;
    data?: {
      startTime?: number;
      cpuProfile?: {
        nodes?: {
          id: number;
          parent?: number;
          callFrame: { functionName?: string; url?: string; lineNumber?: number; columnNumber?: number };
        }[];
        samples?: number[];
      };
      timeDeltas?: number[];
    };
  };
}

export interface LongTaskBreakdown {
  /** Start in trace time (ms) and length (ms). */
  startMs: number;
  ms: number;
  /**
   * The main thread's CPU time in the task (ms): about ms / rate when throttled at `rate`, far less when the thread
   * waited for a core the rest of the task (a loaded machine), so a long task that is only waiting shows here; null
   * when the trace has no thread time for it.
   */
  cpuMs: number | null;
  /** Functions by self time in the task's samples (ms), longest first. */
  top: { fn: string; ms: number }[];
}

/**
 * Timeline events shown by name beside the samples: rendering work, garbage collection, and the inspector's interrupt
 * (V8.InvokeApiInterruptCallbacks), in which the sampling profiler starts at the beginning of a trace — a second of
 * main thread at 4×, an artefact of --trace rather than work of the page.
 */
const RENDERING = new Set([
  'Layout',
  'UpdateLayoutTree',
  'Paint',
  'PrePaint',
  'Layerize',
  'MajorGC',
  'MinorGC',
  'V8.InvokeApiInterruptCallbacks',
]);

const shortUrl = (url: string | undefined) => (url ?? '').replace(/^.*\//, '').replace(/\?.*$/, '') || '(native)';

/** Where a bundled function came from (its source file and line), given its script's url, line and column (0-based). */
export type SourceOf = (url: string, line: number, column: number) => string | null;

/**
 * The long tasks of every renderer main thread in `trace` (Chromium's JSON trace), longest first; functions named by
 * `sourceOf` where it knows them (a build's source maps), by script and line otherwise.
 */
export function longTaskBreakdown(
  trace: { traceEvents: TraceEvent[] },
  minMs = 50,
  sourceOf: SourceOf = () => null,
): LongTaskBreakdown[] {
  const events = trace.traceEvents;
  const mainThreads = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = (e: TraceEvent) => mainThreads.has(`${e.pid}:${e.tid}`);
  const tasks = events.filter((e) => onMain(e) && e.ph === 'X' && e.name === 'RunTask' && (e.dur ?? 0) / 1000 >= minMs);

  // Samples: each profile's nodes and (time, node) pairs, rebuilt from its chunks.
  const frames = new Map<string, Map<number, string>>();
  const samples: { key: string; pidTid: string; ts: number; node: number }[] = [];
  const clock = new Map<string, number>();
  // Chunks come from the profiler's own thread; the Profile event names the thread sampled.
  const sampled = new Map<string, string>();
  for (const e of events) {
    const key = `${e.pid}:${e.id}`;
    if (e.name === 'Profile') {
      clock.set(key, e.args?.data?.startTime ?? e.ts);
      sampled.set(key, `${e.pid}:${e.tid}`);
    }
    if (e.name !== 'ProfileChunk') continue;
    const profile = e.args?.data?.cpuProfile;
    const names = frames.get(key) ?? new Map<number, string>();
    frames.set(key, names);
    for (const n of profile?.nodes ?? []) {
      const f = n.callFrame;
      const at =
        (f.url && sourceOf(f.url, f.lineNumber ?? 0, f.columnNumber ?? 0)) ||
        `${shortUrl(f.url)}:${(f.lineNumber ?? -1) + 1}`;
      names.set(n.id, `${f.functionName || '(anonymous)'} ${at}`);
    }
    let t = clock.get(key) ?? e.ts;
    (profile?.samples ?? []).forEach((node, i) => {
      t += e.args?.data?.timeDeltas?.[i] ?? 0;
      samples.push({ key, pidTid: sampled.get(key) ?? '', ts: t, node });
    });
    clock.set(key, t);
  }
  samples.sort((a, b) => a.ts - b.ts);

  return tasks
    .map((task) => {
      const end = task.ts + (task.dur ?? 0);
      const self = new Map<string, number>();
      let prev: number | null = null;
      for (const s of samples) {
        if (s.ts < task.ts || s.ts > end || s.pidTid !== `${task.pid}:${task.tid}`) continue;
        const fn = frames.get(s.key)?.get(s.node) ?? '?';
        // A sample stands for the time since the one before it.
        self.set(fn, (self.get(fn) ?? 0) + (prev === null ? 0 : s.ts - prev) / 1000);
        prev = s.ts;
      }
      // Rendering work the samples show only as (program): its own timeline events.
      for (const e of events) {
        if (e.ph !== 'X' || !RENDERING.has(e.name) || e.pid !== task.pid || e.tid !== task.tid) continue;
        if (e.ts >= task.ts && e.ts <= end)
          self.set(`[${e.name}]`, (self.get(`[${e.name}]`) ?? 0) + (e.dur ?? 0) / 1000);
      }
      const top = [...self.entries()]
        .filter(([fn]) => fn !== '(idle) (native):0')
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([fn, ms]) => ({ fn, ms }));
      return {
        startMs: task.ts / 1000,
        ms: (task.dur ?? 0) / 1000,
        cpuMs: task.tdur == null ? null : task.tdur / 1000,
        top,
      };
    })
    .sort((a, b) => b.ms - a.ms);
}
