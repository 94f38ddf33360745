import * as tf from '@tensorflow/tfjs';

/**
 * tf.setBackend with a time limit, so a hanging initialisation (a GPU driver that never answers, threaded wasm in
 * a minified build before wasm-threads.ts) falls through to the next backend. Resolves to why it failed, or null.
 * tfjs cannot cancel it: should it finish later after all, tfjs switches to that backend then, so keep the limit
 * well above any plausible start-up time.
 */
export async function setBackendWithin(name: string, timeoutMs: number): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`initialisation did not finish within ${timeoutMs} ms`), timeoutMs);
  });
  const hint = name === 'wasm' ? '; check wasmPaths' : '';
  const attempt = tf.setBackend(name).then(
    (ok) => (ok ? null : `initialisation failed (tfjs logged the cause${hint})`),
    (err: unknown) => `initialisation threw: ${(err as Error).message}`,
  );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
