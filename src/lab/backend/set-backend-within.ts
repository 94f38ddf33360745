import * as tf from '@tensorflow/tfjs';

/**
 * `attempt`, or `timedOut` once `timeoutMs` have passed first — for backend work that can hang rather than fail (a
 * GPU driver that never answers, a read from a lost WebGL context waiting on a fence that never passes). The
 * attempt is not cancelled; its timer is cleared either way.
 */
export async function within<T>(attempt: Promise<T>, timeoutMs: number, timedOut: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), timeoutMs);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * tf.setBackend with a time limit, so a hanging initialisation (a GPU driver that never answers, threaded wasm in
 * a minified build before wasm-threads.ts) falls through to the next backend. Resolves to why it failed, or null.
 * tfjs cannot cancel it: should it finish later after all, tfjs switches to that backend then, so keep the limit
 * well above any plausible start-up time.
 */
export function setBackendWithin(name: string, timeoutMs: number): Promise<string | null> {
  const hint = name === 'wasm' ? '; check wasmPaths' : '';
  const attempt = tf.setBackend(name).then(
    (ok) => (ok ? null : `initialisation failed (tfjs logged the cause${hint})`),
    (err: unknown) => `initialisation threw: ${(err as Error).message}`,
  );
  return within(attempt, timeoutMs, `initialisation did not finish within ${timeoutMs} ms`);
}
