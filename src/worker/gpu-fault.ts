/**
 * Loses the GPU on purpose, as a driver reset or a GPU process crash does: WebGL's context through
 * WEBGL_lose_context, WebGPU's device through `device.destroy()` (which settles `device.lost` as a real loss does).
 * The end-to-end tests of the recovery path (the run moves to the next backend from its last checkpoint) use it.
 * False where the active backend is neither, or the extension is missing.
 */
import * as tf from '@tensorflow/tfjs';

export function loseGpu(): boolean {
  if (tf.getBackend() === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: { destroy?: () => void } }).device;
    if (typeof device?.destroy !== 'function') return false;
    device.destroy();
    return true;
  }
  if (tf.getBackend() !== 'webgl') return false;
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
  const extension = gl?.getExtension('WEBGL_lose_context');
  if (!extension) return false;
  extension.loseContext();
  return true;
}

/**
 * Forgets a failed GPU backend's instance but keeps its factory, so choosing that backend again starts a new one —
 * a new WebGPU device (what the WebGPU spec advises after a loss), a new WebGL context with its programs compiled
 * afresh — instead of the dead one, whose every program would fail. Not disposed: tensors made on it may still be
 * released through it (a GPU that only produced a NaN keeps its device until the page closes). Only when another
 * backend is active (the run has moved on).
 */
export function forgetGpuInstance(name: string): void {
  if (tf.getBackend() === name) return;
  const engine = tf.engine() as unknown as {
    registry: Record<string, { binaryCache?: Record<string, unknown> } | undefined>;
  };
  // tfjs-webgl keeps compiled programs in a cache shared by every instance (module-level, per WebGL version): a new
  // context would be handed the dead one's programs. Emptied in place (the object is shared), as dispose() does.
  const cache = engine.registry[name]?.binaryCache;
  if (cache) for (const key of Object.keys(cache)) delete cache[key];
  delete engine.registry[name];
}

/**
 * Calls `onLost` once when the active GPU backend loses its device: WebGL's `webglcontextlost` event on its canvas,
 * WebGPU's `device.lost`. Needed because a lost context does not always throw: tfjs's reads may simply never settle,
 * and a run would wait forever. Returns the function that stops watching; a no-op on wasm and cpu.
 */
export function watchGpuLoss(onLost: (reason: string) => void): () => void {
  let active = true;
  const fire = (reason: string) => {
    if (active) {
      active = false;
      onLost(reason);
    }
  };
  const backend = tf.backend() as unknown as {
    gpgpu?: { gl?: WebGLRenderingContext };
    device?: { lost?: Promise<{ message?: string }> };
  };
  const canvas =
    tf.getBackend() === 'webgl'
      ? (backend.gpgpu?.gl?.canvas as (EventTarget & { addEventListener?: unknown }) | undefined)
      : undefined;
  const onContextLost = () => fire('the WebGL context was lost');
  if (canvas && typeof canvas.addEventListener === 'function')
    canvas.addEventListener('webglcontextlost', onContextLost);
  if (tf.getBackend() === 'webgpu') {
    void backend.device?.lost?.then((info) =>
      fire(`the WebGPU device was lost${info?.message ? ` (${info.message})` : ''}`),
    );
  }
  return () => {
    active = false;
    if (canvas && typeof canvas.addEventListener === 'function')
      canvas.removeEventListener('webglcontextlost', onContextLost);
  };
}
