/**
 * The ingest bench on generated 1024×1024 inputs (`--synthetic`): per format, N files written by synthetic.ts, then
 * the pipeline in Node (worker-thread pool, then the main thread) and in Chromium (module-worker pool, then the page's
 * thread), each with its images/s and its peak memory against the size of the decoded set it keeps. Every run gets a
 * fresh Node process or a fresh browser, so that no run's memory is another's leftovers.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { imageBytes } from '../../src/lab/data/image-set';
import { buildIngestPage, CHROMIUM, openIngestPage } from './browser-harness';
import { sampleChromiumMemory, type MemoryPeak } from './memory';
import type { NodeMeasureRequest, NodeMeasureResult } from './node-measure';
import {
  SYNTHETIC_FORMATS,
  SYNTHETIC_SIZE,
  writeSyntheticSet,
  type SyntheticFormat,
  type SyntheticSet,
} from './synthetic';

export interface SyntheticOptions {
  /** A format, a comma-separated list of them, or 'all'. */
  readonly formats: string;
  readonly count: number;
  readonly size: number;
  readonly channels: 1 | 3;
  /** Chromium pool size; 0: navigator.hardwareConcurrency. */
  readonly workers: number;
  readonly browser: boolean;
}

interface Row {
  readonly format: SyntheticFormat;
  readonly env: 'node' | 'chromium';
  readonly decoder: string;
  /** 'pool of N' or 'one thread'. */
  readonly threads: string;
  readonly images: number;
  readonly seconds: number;
  readonly imagesPerSec: number;
  /** What is sampled: Node's process RSS, or the Chromium processes' summed RSS. */
  readonly memory: 'rss' | 'chromium processes rss';
  readonly startMB: number;
  readonly peakMB: number;
  readonly growthMB: number;
  /** Chromium only: the page's peak JS heap (CDP Performance.getMetrics JSHeapUsedSize). */
  readonly jsHeapPeakMB?: number;
  /** The decoded images the pipeline keeps (images × size² × channels). */
  readonly decodedSetMB: number;
  /** The original files on disk. */
  readonly filesMB: number;
}

const MB = 1e6;
const mb = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;

function row(
  set: SyntheticSet,
  format: SyntheticFormat,
  env: Row['env'],
  decoder: string,
  images: number,
  ms: number,
  memory: MemoryPeak,
  perImage: number,
): Row {
  const pool = /(\d+) worker/.exec(decoder);
  return {
    format,
    env,
    decoder,
    threads: pool ? `pool of ${pool[1]}` : 'one thread',
    images,
    seconds: ms / 1000,
    imagesPerSec: (images / ms) * 1000,
    memory: env === 'node' ? 'rss' : 'chromium processes rss',
    startMB: mb(memory.start),
    peakMB: mb(memory.peak),
    growthMB: mb(memory.peak - memory.start),
    ...(memory.jsHeapPeak !== undefined ? { jsHeapPeakMB: mb(memory.jsHeapPeak) } : {}),
    decodedSetMB: mb(images * perImage),
    filesMB: mb(set.bytes),
  };
}

const HEADER = 'format      env       threads     images  img/s  peak MB  growth MB  decoded-set MB  files MB';

function printRow(r: Row): void {
  process.stdout.write(
    `${r.format.padEnd(11)} ${r.env.padEnd(9)} ${r.threads.padEnd(11)} ${String(r.images).padStart(6)} ` +
      `${r.imagesPerSec.toFixed(1).padStart(6)} ${r.peakMB.toFixed(0).padStart(8)} ` +
      `${r.growthMB.toFixed(0).padStart(10)} ${r.decodedSetMB.toFixed(1).padStart(15)} ` +
      r.filesMB.toFixed(0).padStart(9) +
      (r.jsHeapPeakMB !== undefined ? `   (page JS heap peak ${r.jsHeapPeakMB.toFixed(0)} MB)` : '') +
      '\n',
  );
}

function parseFormats(text: string): SyntheticFormat[] | null {
  if (text === 'all') return [...SYNTHETIC_FORMATS];
  const list = text.split(',').map((s) => s.trim());
  return list.every((f) => (SYNTHETIC_FORMATS as readonly string[]).includes(f)) ? (list as SyntheticFormat[]) : null;
}

export async function runSyntheticIngest(options: SyntheticOptions): Promise<number> {
  const formats = parseFormats(options.formats);
  if (!formats || !Number.isInteger(options.count) || options.count < 2) {
    process.stderr.write(
      `ingest bench: --synthetic takes ${SYNTHETIC_FORMATS.join(', ')} (comma-separated) or all; ` +
        '--count a whole number ≥ 2\n',
    );
    return 2;
  }
  const format = { size: options.size, channels: options.channels };
  const perImage = imageBytes(format.size, format.channels);
  process.stdout.write(
    `ingest bench, synthetic: ${options.count} × ${SYNTHETIC_SIZE}² per format → ` +
      `${format.size}×${format.size}×${format.channels} uint8; ${cpus().length} CPU cores\n`,
  );
  const rows: Row[] = [];
  const sets: { format: SyntheticFormat; set: SyntheticSet }[] = [];
  try {
    for (const f of formats) {
      const set = await writeSyntheticSet(f, options.count);
      sets.push({ format: f, set });
      process.stdout.write(
        `wrote ${set.images} ${f} files (${mb(set.bytes).toFixed(0)} MB) in ${set.seconds.toFixed(1)} s: ${set.dir}\n`,
      );
    }
    process.stdout.write(`${HEADER}\n`);
    for (const { format: f, set } of sets) {
      for (const pool of [true, false]) {
        const run = await measureInChild({ dir: set.dir, pool, ...format });
        rows.push(row(set, f, 'node', run.decoder, run.images, run.ms, run.memory, perImage));
        printRow(rows.at(-1)!);
        if (run.firstSkipped) process.stdout.write(`  ${run.skipped} file(s) skipped, e.g. ${run.firstSkipped}\n`);
      }
    }
    if (options.browser && CHROMIUM) {
      // A fresh browser per run: its processes' start and peak are then this run's alone.
      const built = await buildIngestPage();
      for (const { format: f, set } of sets) {
        for (const pool of [true, false]) {
          const lab = await openIngestPage(built);
          try {
            const workers =
              options.workers || (await lab.page.evaluate(() => navigator.hardwareConcurrency)) || cpus().length;
            await lab.setInput('folder', set.dir);
            const memory = await sampleChromiumMemory(lab.page);
            const run = await lab.run({ input: 'folder', workers: pool ? workers : 0, ...format });
            const peak = await memory.stop();
            rows.push(row(set, f, 'chromium', run.decoder, run.summary.images, run.ms, peak, perImage));
            printRow(rows.at(-1)!);
            if (run.summary.images < set.images) warnSkipped(run.summary.skipped);
          } finally {
            await lab.close();
          }
        }
      }
    } else process.stdout.write('chromium: skipped (--no-browser, or no Chromium installed)\n');
  } finally {
    for (const { set } of sets) await rm(set.dir, { recursive: true, force: true });
  }

  await mkdir(resolve('bench/results'), { recursive: true });
  const file = join(
    resolve('bench/results'),
    `ingest-synthetic-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  await writeFile(
    file,
    JSON.stringify(
      {
        synthetic: { formats, count: options.count, side: SYNTHETIC_SIZE },
        format,
        cores: cpus().length,
        memory: {
          node: 'process.memoryUsage().rss sampled every 20 ms and at every progress event',
          chromium:
            'summed VmRSS of every process under this Node process (browser, renderer, GPU, utility), every 100 ms; ' +
            "jsHeapPeakMB: the page's CDP Performance.getMetrics JSHeapUsedSize",
          MB: 1e6,
        },
        rows,
        date: new Date().toISOString(),
      },
      null,
      2,
    ) + '\n',
  );
  process.stdout.write(`wrote ${file}\n`);
  return 0;
}

const MEASURE_SCRIPT = fileURLToPath(new URL('./node-measure.ts', import.meta.url));

/** Runs one Node measurement in a fresh process (node-measure.ts), through tsx as the bench itself runs. */
async function measureInChild(request: NodeMeasureRequest): Promise<NodeMeasureResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', MEASURE_SCRIPT, JSON.stringify(request)],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as NodeMeasureResult;
}

function warnSkipped(skipped: readonly { path: string; reason: string }[]): void {
  const first = skipped[0];
  process.stdout.write(`  ${skipped.length} file(s) skipped${first ? `, e.g. ${first.path}: ${first.reason}` : ''}\n`);
}
