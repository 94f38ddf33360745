import { describe, expect, it } from 'vitest';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { createThreadDecoder } from '../../src/lab/data/node/decoder-threads';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { ingest } from '../../src/lab/data/pipeline';
import { memorySource } from '../helpers/memory-source';
import { encodeImage } from '../helpers/write-dataset';

/** 24 phantom X-rays as mixed PNG/JPEG files, plus a broken one. */
function files(): Map<string, Uint8Array> {
  const set = generatePhantomImages({ perClass: 12, size: 40, channels: 1, seed: 11 });
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < set.count; i++) {
    const format = i % 3 === 0 ? 'png' : 'jpeg';
    out.set(
      `${set.classNames[set.labels[i]]}/${set.files[i].split('/').pop()!.replace(/png$/, format)}`,
      encodeImage(set, i, format),
    );
  }
  out.set('NORMAL/broken.jpeg', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
  return out;
}

const load = async (decoder: ReturnType<typeof createNodeDecoder>) => {
  try {
    return await ingest(memorySource('data', files()), { decoder, format: { size: 32, channels: 3 } });
  } finally {
    decoder.close();
  }
};

describe('createThreadDecoder', () => {
  it('decodes in worker threads exactly as on the main thread, and names broken files', async () => {
    const inline = await load(createNodeDecoder());
    const threaded = await load(createThreadDecoder({ threads: 2 }));
    expect(threaded.images!.files).toEqual(inline.images!.files);
    expect(threaded.images!.pixels).toEqual(inline.images!.pixels);
    expect(threaded.summary.skipped).toEqual(inline.summary.skipped);
    expect(threaded.summary.skipped.map((s) => s.path)).toEqual(['NORMAL/broken.jpeg']);
  });

  it('falls back to the calling thread when the threads cannot start, losing no image', async () => {
    const missing = new URL('./no-such-entry.ts', import.meta.url);
    const fallback = await load(createThreadDecoder({ threads: 2, entry: missing }));
    expect(fallback.images!.count).toBe(24);
    expect(fallback.summary.skipped.map((s) => s.path)).toEqual(['NORMAL/broken.jpeg']);
  });
});
