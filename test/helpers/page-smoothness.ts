/**
 * What a user feels of the page's main thread while something runs: synthetic key presses sent through the DevTools
 * protocol every `intervalMs` (as a real keyboard would arrive), each one's input delay (from the event's time stamp
 * to its handler), and the long tasks (over 50 ms) in the same window. Optionally with the CPU throttled through
 * `Emulation.setCPUThrottlingRate` (4× stands in for a school Chromebook). Used by the freeze e2e test and by
 * `npm run bench -- page-smoothness`.
 */
import type { CDPSession, Page } from 'playwright-core';

export interface Smoothness {
  /** Probes answered in the window. */
  probes: number;
  inputDelayP50: number;
  inputDelayP95: number;
  inputDelayMax: number;
  /** Longest main-thread task that started in the window (ms), and how many took over 50 ms. */
  longestTask: number;
  longTasks: number;
  /** Share of the window the main thread spent in long tasks. */
  busyShare: number;
  windowMs: number;
}

/**
 * Installs the page-side recorders, before the page's first script: key presses' input delay in
 * `window.__inputDelays` and main-thread long tasks in `window.__longTasks`, each as [start, duration].
 */
export async function recordInput(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __inputDelays: number[][]; __longTasks: number[][] };
    w.__inputDelays = [];
    w.__longTasks = [];
    // [when it was sent, delay until a handler ran]; capture phase on window, before anything the page does.
    window.addEventListener('keydown', (e) => w.__inputDelays.push([e.timeStamp, performance.now() - e.timeStamp]), {
      capture: true,
    });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
}

export async function throttleCpu(page: Page, rate: number): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return cdp;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))];
}

/**
 * Probes the page until `until` settles (or for `durationMs` when no promise is given) and returns what it measured
 * in that window.
 */
export async function measureSmoothness(
  page: Page,
  cdp: CDPSession,
  o: { until?: Promise<unknown>; durationMs?: number; intervalMs?: number },
): Promise<Smoothness> {
  const since = await page.evaluate(() => performance.now());
  let done = false;
  const finished = (o.until ?? new Promise((r) => setTimeout(r, o.durationMs ?? 5000))).finally(() => {
    done = true;
  });
  const interval = o.intervalMs ?? 250;
  while (!done) {
    // Shift: a key with no effect on the page. The protocol call returns once the renderer took the event.
    await cdp.send('Input.dispatchKeyEvent', {
      type: 'rawKeyDown',
      key: 'Shift',
      code: 'ShiftLeft',
      windowsVirtualKeyCode: 16,
    });
    await cdp.send('Input.dispatchKeyEvent', {
      type: 'keyUp',
      key: 'Shift',
      code: 'ShiftLeft',
      windowsVirtualKeyCode: 16,
    });
    await Promise.race([finished, new Promise((r) => setTimeout(r, interval))]);
  }
  await finished;
  // Raw figures from the page; the arithmetic happens here (tsx names arrow functions, which a page cannot run).
  const { delays, tasks, windowMs } = await page.evaluate((t) => {
    const w = window as unknown as { __inputDelays: number[][]; __longTasks: number[][] };
    return {
      delays: w.__inputDelays.filter(([at]) => at >= t).map(([, d]) => d),
      tasks: w.__longTasks.filter(([start]) => start >= t).map(([, d]) => d),
      windowMs: performance.now() - t,
    };
  }, since);
  const sorted = [...delays].sort((a, b) => a - b);
  return {
    probes: sorted.length,
    inputDelayP50: quantile(sorted, 0.5),
    inputDelayP95: quantile(sorted, 0.95),
    inputDelayMax: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    longestTask: Math.max(0, ...tasks),
    longTasks: tasks.length,
    busyShare: tasks.reduce((a, b) => a + b, 0) / Math.max(1, windowMs),
    windowMs,
  };
}

/**
 * Compiles Playwright's page-side helpers before a measurement: the first waitForFunction on a page evaluates a large
 * injected script, seconds of main thread with the CPU throttled, that would otherwise count as the page's own.
 */
export async function warmHarness(page: Page): Promise<void> {
  await page.waitForFunction(() => true, null, { polling: 100 });
}

/**
 * Resolves when no training run is in progress (the Cancel-all button came and went), checking twice a second:
 * Playwright's default polls on every animation frame, main-thread work that a user's page would not have.
 */
export async function runEnded(page: Page, timeout = 300_000): Promise<void> {
  await page
    .waitForFunction(() => document.querySelector('[data-testid=cancel-button]'), null, {
      polling: 500,
      timeout: 30_000,
    })
    .catch(() => undefined);
  await page.waitForFunction(() => !document.querySelector('[data-testid=cancel-button]'), null, {
    polling: 500,
    timeout,
  });
}
