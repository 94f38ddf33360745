import { fileListSource, type DataSource } from '../../src/lab/data/source';
import type { DecodedSquare, ImageDecoder, StoreFormat } from '../../src/lab/data/decoder';
import { createNodeDecoder } from '../../src/lab/data/node/decode';

/** A DataSource over files held in memory (path → bytes; a path ending in '/' is a folder), in the given order. */
export function memorySource(
  name: string,
  files: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array>,
): DataSource {
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  return fileListSource(name, 'folder', async () =>
    entries.map(([path, bytes]) => ({ path, size: bytes.length, read: async () => bytes })),
  );
}

/**
 * The Node decoder run with `concurrency` decodes in flight, each finishing after a delay that varies per file, so
 * results arrive out of order — as from a worker pool. Counts calls.
 */
export function shuffledDecoder(concurrency: number): ImageDecoder & { calls: number } {
  const inner = createNodeDecoder();
  const decoder = {
    name: 'delayed node decoder',
    concurrency,
    calls: 0,
    async decode(bytes: Uint8Array, path: string, format: StoreFormat): Promise<DecodedSquare> {
      decoder.calls++;
      const delay = (path.length * 7 + decoder.calls * 13) % 9;
      await new Promise((resolve) => setTimeout(resolve, delay));
      return inner.decode(bytes, path, format);
    },
    close() {},
  };
  return decoder;
}
