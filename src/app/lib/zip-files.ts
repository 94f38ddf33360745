/** A zip of files by relative path (fflate, stored: weights barely compress), for the export downloads. */
import { zip, type Zippable } from 'fflate';

export function zipFiles(files: Readonly<Record<string, Uint8Array>>): Promise<Blob> {
  const tree: Zippable = { ...files };
  return new Promise((resolve, reject) => {
    zip(tree, { level: 0 }, (err, data) =>
      err ? reject(err) : resolve(new Blob([data as BlobPart], { type: 'application/zip' })),
    );
  });
}
