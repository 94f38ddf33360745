/**
 * Peak-memory sampling for the ingest bench. Node: process.memoryUsage().rss, which counts the worker threads and
 * every ArrayBuffer (the pixels), not only the JS heap. Chromium: the summed resident set of every process this Node
 * process started (browser, renderer, GPU and utility processes, read from /proc, so Linux only), because the page's
 * JS heap leaves out the ArrayBuffers and the module workers that hold file bytes and pixels; CDP's
 * Performance.getMetrics JSHeapUsedSize of the page is sampled next to it for reference.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';

export interface MemoryPeak {
  /** At the start of the run, bytes. */
  readonly start: number;
  readonly peak: number;
  readonly samples: number;
  /** Chromium only: the page's peak JS heap (CDP JSHeapUsedSize), bytes. */
  readonly jsHeapPeak?: number;
}

/** Samples the process RSS every `everyMs` (and whenever `sample()` is called, as from a progress callback). */
export function sampleNodeMemory(everyMs = 20): { sample(): void; stop(): MemoryPeak } {
  const start = process.memoryUsage().rss;
  let peak = start;
  let samples = 1;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().rss);
    samples++;
  };
  const timer = setInterval(sample, everyMs);
  return {
    sample,
    stop: () => {
      clearInterval(timer);
      sample();
      return { start, peak, samples };
    },
  };
}

/** Resident bytes of every descendant of this process (a process that exits between reads is skipped). */
export function descendantRss(root = process.pid): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // gone
    }
  }
  let total = 0;
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    queue.push(...(children.get(pid) ?? []));
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

/** Samples the Chromium processes' summed RSS and the page's JS heap every `everyMs` while a run goes on. */
export async function sampleChromiumMemory(page: Page, everyMs = 100): Promise<{ stop(): Promise<MemoryPeak> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const jsHeap = async (): Promise<number> => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  };
  const start = descendantRss();
  let peak = start;
  let jsHeapPeak = await jsHeap();
  let samples = 1;
  let busy = false;
  const sample = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      peak = Math.max(peak, descendantRss());
      jsHeapPeak = Math.max(jsHeapPeak, await jsHeap());
      samples++;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sample().catch(() => undefined), everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await sample().catch(() => undefined);
      await cdp.detach().catch(() => undefined);
      return { start, peak, samples, jsHeapPeak };
    },
  };
}
