/**
 * One Node measurement of the ingest bench in a process of its own (`node --import tsx node-measure.ts JSON`), so its
 * start and peak RSS are not those a previous run, or the generation of the files, left behind. Prints one JSON line:
 * decoder name, images loaded, milliseconds, memory peak and the first skipped file.
 */
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { createThreadDecoder } from '../../src/lab/data/node/decoder-threads';
import { nodeFolderSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import { sampleNodeMemory, type MemoryPeak } from './memory';

export interface NodeMeasureRequest {
  readonly dir: string;
  readonly pool: boolean;
  readonly size: number;
  readonly channels: 1 | 3;
}

export interface NodeMeasureResult {
  readonly decoder: string;
  readonly images: number;
  readonly skipped: number;
  readonly firstSkipped: string | null;
  readonly ms: number;
  readonly memory: MemoryPeak;
}

async function measure(request: NodeMeasureRequest): Promise<NodeMeasureResult> {
  const decoder = request.pool ? createThreadDecoder() : createNodeDecoder();
  const memory = sampleNodeMemory();
  const started = performance.now();
  try {
    const result = await ingest(nodeFolderSource(request.dir), {
      decoder,
      format: { size: request.size, channels: request.channels },
      onProgress: memory.sample,
    });
    const ms = performance.now() - started;
    const first = result.summary.skipped[0];
    return {
      decoder: decoder.name,
      images: result.summary.images,
      skipped: result.summary.skipped.length,
      firstSkipped: first ? `${first.path}: ${first.reason}` : null,
      ms,
      memory: memory.stop(),
    };
  } finally {
    decoder.close();
  }
}

const request = JSON.parse(process.argv[2] ?? '{}') as NodeMeasureRequest;
process.stdout.write(`${JSON.stringify(await measure(request))}\n`);
