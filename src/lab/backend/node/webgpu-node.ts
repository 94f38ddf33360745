/**
 * WebGPU in Node through the optional `webgpu` package (Dawn, the engine Chrome's WebGPU is built on): it gives
 * Node a `navigator.gpu`, and tfjs's webgpu backend then runs the same WGSL kernels as the page. Dawn needs a
 * Vulkan loader (Debian: libvulkan1) and a driver: a GPU's own, or SwiftShader's (software; Debian's chromium
 * package ships both as /usr/lib/chromium/libvulkan.so.1 and vk_swiftshader_icd.json, usable through
 * LD_LIBRARY_PATH and VK_ICD_FILENAMES). Node-only; for benchmarks and GPU machines.
 */

/** Installs `navigator.gpu` from the `webgpu` package; null when it is there, else why not. */
export async function installNodeWebGpu(): Promise<string | null> {
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu != null) return null;
  let dawn: { create(flags: string[]): unknown; globals: Record<string, unknown> };
  try {
    dawn = (await import(/* @vite-ignore */ 'webgpu')) as typeof dawn;
  } catch (err) {
    return `the optional 'webgpu' package could not be loaded (${(err as Error).message.split('\n')[0]}): npm install webgpu`;
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  // Node 21+ has a navigator of its own; older ones have none.
  if (g.navigator != null) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return null;
}

/** What to check when Dawn found no adapter. */
export const NODE_WEBGPU_HINT =
  "Dawn needs a Vulkan loader and driver: on Debian apt-get install libvulkan1 (and the GPU vendor's driver), or " +
  'for SwiftShader LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json';
