/**
 * Downloads with byte progress and cancellation, for weight shards (87 MB for InceptionV3). Nothing is kept on
 * failure: the caller only ever sees complete bodies.
 */

/** A download that did not complete (HTTP error, network error, CORS refusal). */
export class WeightsDownloadError extends Error {
  constructor(
    readonly url: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(`${url}: ${detail}`);
    this.name = 'WeightsDownloadError';
  }
}

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

/**
 * Fetches `url` completely, calling `onBytes(received)` as chunks arrive.
 * @throws WeightsDownloadError on a non-2xx status or a network failure; the AbortError itself when cancelled
 */
export async function fetchBytes(
  url: string,
  options: { fetch?: FetchLike; signal?: AbortSignal; onBytes?: (received: number) => void } = {},
): Promise<Uint8Array> {
  const doFetch = options.fetch ?? ((u: string, init?: { signal?: AbortSignal }) => fetch(u, init));
  let response: Response;
  try {
    response = await doFetch(url, { signal: options.signal });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    // Browsers report CORS refusals and offline alike as a TypeError with no status.
    throw new WeightsDownloadError(
      url,
      null,
      `download failed (${(err as Error).message}); a cross-origin URL must allow CORS`,
    );
  }
  if (!response.ok) {
    throw new WeightsDownloadError(
      url,
      response.status,
      `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  }
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    options.onBytes?.(bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    options.onBytes?.(received);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** An ArrayBuffer holding exactly the bytes of a view (copied only when the view does not span its buffer). */
export function exactBuffer(bytes: Uint8Array | ArrayBuffer): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer)
    return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}
