/**
 * A decode thread of the Node pool (decoder-threads.ts): receives a file's bytes, answers with the square uint8
 * image (its buffer transferred) or with the reason it could not be decoded. Same code as the main-thread decoder.
 */
import { parentPort } from 'node:worker_threads';
import { isDataError } from '../errors';
import { createNodeDecoder } from './decode';
import type { DecodeReply, DecodeRequest } from '../decoder';

const decoder = createNodeDecoder();
const port = parentPort!;

port.on('message', async ({ id, bytes, path, format }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    const image = await decoder.decode(bytes, path, format);
    reply = {
      id,
      ok: true,
      pixels: image.pixels,
      width: image.width,
      height: image.height,
      patientKey: image.patientKey,
    };
    port.postMessage(reply, [image.pixels.buffer as ArrayBuffer]);
    return;
  } catch (err) {
    reply = {
      id,
      ok: false,
      problem: isDataError(err) ? err.problem : `cannot decode (${(err as Error)?.message ?? String(err)})`,
    };
  }
  port.postMessage(reply);
});
