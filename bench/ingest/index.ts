/**
 * `npm run bench -- ingest [--data DIR] [--size N] [--channels 1|3] [--workers N] [--no-browser]`: images/s for
 * decoding + resizing a dataset folder (default ../shared/data/chest-xray-224/train, 5,216 X-rays) to 299×299, in
 * Node and in headless Chromium. In each, a pool (Node: worker threads; Chromium: module workers) and the same code
 * on one thread (the single-threaded baseline) run in the same session and the ratio is printed. Chromium is
 * measured twice: decode + resize of bytes already in memory, and the whole pipeline from the folder input's File
 * objects (read, hash, decode, resize, store, split). Goal: all 5,216 images in under 20 s in Chromium. JSON goes
 * to bench/results/. This machine is shared: other work running at the same time lowers every figure.
 *
 * `--synthetic dicom|dicom-jpeg|png|all [--count N]` instead writes N generated 1024×1024 X-rays (synthetic.ts) into
 * a temp folder per format, runs the pipeline on it in Node and Chromium (pool and single thread), decoding to 128 px
 * by default, and reports images/s and peak memory (memory.ts says what is sampled) next to the size of the decoded
 * set: files are read, decoded and let go one by one, so the growth should be a fixed overhead (workers, codecs,
 * garbage not yet collected) plus the decoded set, not the files' total, however large N is. MB: 10^6 bytes.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { createThreadDecoder } from '../../src/lab/data/node/decoder-threads';
import { nodeFolderSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import { CHROMIUM, openIngestPage } from './browser-harness';
import { runSyntheticIngest } from './synthetic-run';

interface Figure {
  readonly env: 'node' | 'chromium';
  readonly what: 'decode+resize' | 'pipeline';
  readonly decoder: string;
  readonly threads: number;
  readonly images: number;
  readonly seconds: number;
  readonly imagesPerSec: number;
}

const figure = (
  env: Figure['env'],
  what: Figure['what'],
  decoder: string,
  threads: number,
  images: number,
  ms: number,
): Figure => ({ env, what, decoder, threads, images, seconds: ms / 1000, imagesPerSec: (images / ms) * 1000 });

function print(f: Figure): void {
  process.stdout.write(
    `${f.env.padEnd(9)} ${f.what.padEnd(14)} ${String(f.threads).padStart(2)} thr  ${f.images} images in ${f.seconds.toFixed(2).padStart(6)} s  = ${f.imagesPerSec.toFixed(0).padStart(5)} img/s   ${f.decoder}\n`,
  );
}

export async function runIngestSuite(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      size: { type: 'string' },
      channels: { type: 'string' },
      workers: { type: 'string' },
      'no-browser': { type: 'boolean', default: false },
      synthetic: { type: 'string' },
      count: { type: 'string' },
    },
  });
  if (values.synthetic !== undefined)
    return runSyntheticIngest({
      formats: values.synthetic,
      count: Number(values.count ?? 200),
      size: Number(values.size ?? 128),
      channels: values.channels === '3' ? 3 : 1,
      workers: Number(values.workers ?? 0),
      browser: !values['no-browser'],
    });
  const data = resolve(values.data ?? '../shared/data/chest-xray-224/train');
  if (!existsSync(data)) {
    process.stderr.write(`ingest bench: ${data} is absent (give --data DIR)\n`);
    return 2;
  }
  const format = { size: Number(values.size ?? 299), channels: (values.channels === '3' ? 3 : 1) as 1 | 3 };
  process.stdout.write(
    `ingest bench: ${data} → ${format.size}×${format.size}×${format.channels} uint8; ${cpus().length} CPU cores\n`,
  );
  const figures: Figure[] = [];

  // Node: the pipeline with the pure-JS decoders, in a pool of worker threads and on the main thread.
  const ratios: Record<string, number> = {};
  const nodePair: Figure[] = [];
  for (const decoder of [createThreadDecoder(), createNodeDecoder()]) {
    const started = performance.now();
    const result = await ingest(nodeFolderSource(data), { decoder, format });
    const threads = decoder.concurrency === 1 ? 1 : decoder.concurrency / 2;
    nodePair.push(
      figure('node', 'pipeline', decoder.name, threads, result.summary.images, performance.now() - started),
    );
    decoder.close();
    print(nodePair.at(-1)!);
  }
  figures.push(...nodePair);
  ratios['node pipeline'] = nodePair[0].imagesPerSec / nodePair[1].imagesPerSec;
  process.stdout.write(
    `node      pipeline: pool of ${nodePair[0].threads} threads vs main thread = ${ratios['node pipeline'].toFixed(2)}×\n`,
  );

  if (!values['no-browser'] && CHROMIUM) {
    const lab = await openIngestPage();
    try {
      await lab.setInput('folder', data);
      const workers =
        Number(values.workers ?? 0) || (await lab.page.evaluate(() => navigator.hardwareConcurrency)) || 2;
      for (const what of ['decode+resize', 'pipeline'] as const) {
        const pair: Figure[] = [];
        for (const w of [workers, 0]) {
          const run =
            what === 'pipeline'
              ? await lab
                  .run({ input: 'folder', workers: w, ...format })
                  .then((r) => ({ ms: r.ms, images: r.summary.images, decoder: r.decoder }))
              : await lab.page.evaluate(
                  (o) =>
                    (
                      window as unknown as {
                        ingestLab: { decodeOnly(o: unknown): Promise<{ ms: number; images: number; decoder: string }> };
                      }
                    ).ingestLab.decodeOnly(o),
                  { workers: w, ...format },
                );
          const f = figure('chromium', what, run.decoder, Math.max(1, w), run.images, run.ms);
          pair.push(f);
          figures.push(f);
          print(f);
        }
        ratios[`chromium ${what}`] = pair[0].imagesPerSec / pair[1].imagesPerSec;
        process.stdout.write(
          `chromium  ${what}: pool of ${workers} vs single thread = ${ratios[`chromium ${what}`].toFixed(2)}×\n`,
        );
      }
      const pipeline = figures.find((f) => f.env === 'chromium' && f.what === 'pipeline')!;
      process.stdout.write(
        `goal: ${pipeline.images} images in < 20 s in Chromium → ${pipeline.seconds.toFixed(1)} s (${pipeline.seconds < 20 ? 'met' : 'NOT met'})\n`,
      );
    } finally {
      await lab.close();
    }
  } else process.stdout.write('chromium: skipped (--no-browser, or no Chromium installed)\n');

  await mkdir(resolve('bench/results'), { recursive: true });
  const file = join(resolve('bench/results'), `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    file,
    JSON.stringify({ data, format, cores: cpus().length, figures, ratios, date: new Date().toISOString() }, null, 2) +
      '\n',
  );
  process.stdout.write(`wrote ${file}\n`);
  return 0;
}
