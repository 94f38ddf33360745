/**
 * A decode worker of the browser pool: receives a file's bytes (transferred), answers with the square uint8 image
 * (transferred back) or with the reason it could not be decoded. One message in, one out; no state but the canvas.
 */
import { isDataError } from '../errors';
import { decodeInBrowser } from './browser-decode';
import type { DecodeReply, DecodeRequest } from '../decoder';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<DecodeRequest>) => {
  const { id, bytes, path, format } = event.data;
  let reply: DecodeReply;
  try {
    const image = await decodeInBrowser(bytes, path, format);
    reply = {
      id,
      ok: true,
      pixels: image.pixels,
      width: image.width,
      height: image.height,
      patientKey: image.patientKey,
    };
    scope.postMessage(reply, [image.pixels.buffer]);
    return;
  } catch (err) {
    const problem = isDataError(err) ? err.problem : `cannot decode (${(err as Error)?.message ?? String(err)})`;
    reply = { id, ok: false, problem };
  }
  scope.postMessage(reply);
};
