/**
 * Node only: turns the CLI's `--weights PATH` into the files the loaders take — a Keras .h5 file, a model.json (its
 * shards are read from beside it), or a folder holding either.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseLayersModelJson, shardPaths } from '../read-tfjs-layers';
import { WeightsFormatError } from '../source-weights';
import type { WeightsFile } from '../load-weights';

export async function readWeightsPath(path: string): Promise<WeightsFile[]> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new WeightsFormatError(path, 'no such file or folder');
  if (info.isDirectory()) {
    const names = await readdir(path);
    const pick = names.find((n) => n === 'model.json') ?? names.find((n) => /\.(h5|hdf5)$/i.test(n));
    if (!pick) throw new WeightsFormatError(path, 'the folder holds no model.json and no .h5 file');
    return readWeightsPath(join(path, pick));
  }
  const bytes = new Uint8Array(await readFile(path));
  if (!/\.json$/i.test(path)) return [{ name: basename(path), bytes }];
  const json = parseLayersModelJson(new TextDecoder().decode(bytes), path);
  const shards = await Promise.all(
    shardPaths(json).map(async (shard) => {
      const file = join(dirname(path), shard);
      const data = await readFile(file).catch(() => null);
      if (!data) throw new WeightsFormatError(path, `lists the shard ${shard}, but ${file} cannot be read`);
      return { name: shard, bytes: new Uint8Array(data) };
    }),
  );
  return [{ name: basename(path), bytes }, ...shards];
}
