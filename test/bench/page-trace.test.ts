/**
 * bench/page-trace.ts: the long tasks of a renderer's main thread in a Chromium trace, with their CPU time (the
 * thread's own, which tells a task that worked from one that waited for a core) and the functions that took them.
 */
import { describe, expect, it } from 'vitest';
import { longTaskBreakdown } from '../../bench/page-trace';

const meta = (pid: number, tid: number, name: string) => ({
  name: 'thread_name',
  ph: 'M',
  pid,
  tid,
  ts: 0,
  args: { name },
});
const task = (tid: number, ts: number, dur: number, tdur: number) => ({
  name: 'RunTask',
  ph: 'X',
  pid: 1,
  tid,
  ts,
  dur,
  tdur,
});

describe('longTaskBreakdown', () => {
  it("keeps the main thread's tasks over the bound, longest first, with their CPU time", () => {
    const trace = {
      traceEvents: [
        meta(1, 10, 'CrRendererMain'),
        meta(1, 11, 'DedicatedWorker thread'),
        task(10, 1_000_000, 300_000, 80_000),
        task(10, 2_000_000, 40_000, 40_000),
        task(10, 3_000_000, 600_000, 5_000),
        // A worker's long task is not the page's.
        task(11, 1_000_000, 900_000, 900_000),
      ],
    };
    const tasks = longTaskBreakdown(trace, 50);
    expect(tasks.map((t) => [t.startMs, t.ms, t.cpuMs])).toEqual([
      [3000, 600, 5],
      [1000, 300, 80],
    ]);
  });

  it('names the functions of a task by their self time in its CPU samples', () => {
    const trace = {
      traceEvents: [
        meta(1, 10, 'CrRendererMain'),
        task(10, 1_000_000, 100_000, 90_000),
        {
          name: 'Profile',
          ph: 'P',
          pid: 1,
          tid: 10,
          id: '0x1',
          ts: 1_000_000,
          args: { data: { startTime: 1_000_000 } },
        },
        {
          name: 'ProfileChunk',
          ph: 'P',
          pid: 1,
          tid: 12,
          id: '0x1',
          ts: 1_100_000,
          args: {
            data: {
              cpuProfile: {
                nodes: [
                  { id: 1, callFrame: { functionName: '(root)' } },
                  {
                    id: 2,
                    parent: 1,
                    callFrame: { functionName: 'render', url: 'http://x/assets/a.js', lineNumber: 4 },
                  },
                ],
                // Four samples 20 ms apart, each standing for the time since the one before: render 60 ms.
                samples: [2, 2, 2, 2],
              },
              timeDeltas: [10_000, 20_000, 20_000, 20_000],
            },
          },
        },
      ],
    };
    const [t] = longTaskBreakdown(trace, 50, (url, line) => (url.endsWith('a.js') ? `src/a.ts:${line + 1}` : null));
    expect(t.top).toEqual([{ fn: 'render src/a.ts:5', ms: 60 }]);
  });
});
