import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { DataError } from '../errors';
import { fileSizeProblem } from '../limits';

/** Why a file listed a moment ago cannot be read now, in the user's words. */
function readProblem(code: string): string {
  if (code === 'ENOENT') return 'the file was removed or renamed after the folder was listed';
  if (code === 'EISDIR') return 'the file became a folder after the folder was listed';
  if (code === 'EACCES' || code === 'EPERM') return `no permission to read the file (${code})`;
  return `cannot read the file (${code})`;
}

/**
 * Reads one dataset file from disk. Opened without blocking and checked to be a regular file first (a named pipe put
 * where an image was would otherwise wait forever), and refused unread when larger than the per-file limit. Rejects
 * with a DataError naming `shown`: the pipeline lists the file as skipped and goes on.
 */
export async function readDatasetFile(abs: string, shown: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new DataError(shown, readProblem((err as NodeJS.ErrnoException).code ?? 'error'));
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new DataError(shown, readProblem('EISDIR'));
    if (!info.isFile()) throw new DataError(shown, 'not a regular file (a pipe, socket or device); not read');
    const tooLarge = fileSizeProblem(info.size);
    if (tooLarge) throw new DataError(shown, tooLarge);
    const buffer = await handle.readFile();
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(shown, readProblem((err as NodeJS.ErrnoException).code ?? 'error'));
  } finally {
    await handle.close();
  }
}
