/**
 * What a GPU backend would run on, found out before tfjs initialises it: the WebGPU adapter (and whether it is a
 * fallback/software one) and the WebGL renderer string. A software renderer (SwiftShader, llvmpipe, Microsoft Basic
 * Render Driver, …) trains tens of times slower than wasm on the same CPU, so auto never picks one.
 */

/** Renderer or adapter names of GPUs emulated on the CPU. */
const SOFTWARE_RENDERERS: Array<[RegExp, string]> = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render driver/i, 'Microsoft Basic Render Driver'],
  [/software (rasterizer|renderer|adapter)/i, 'a software rasterizer'],
  [/\bwarp\b/i, 'WARP'],
];

/** The software renderer named in a renderer or adapter description, or null for a (presumably) real GPU. */
export function softwareRendererIn(description: string): string | null {
  for (const [pattern, name] of SOFTWARE_RENDERERS) if (pattern.test(description)) return name;
  return null;
}

/** One GPU API as probed. */
export interface GpuProbe {
  api: 'webgpu' | 'webgl';
  /** Why the API cannot be used at all here, or null. */
  unavailable: string | null;
  /** Adapter or renderer description ('' when unavailable). */
  description: string;
  /** The software renderer behind it, or null. */
  software: string | null;
}

interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** Races `promise` against a timer; `onTimeout` is what the race yields when the timer wins. */
export async function within<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Describes a WebGPU adapter as the indicator shows it. */
export function describeAdapterInfo(info: GpuAdapterInfoLike | undefined, fallback: boolean): string {
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter(
    (p) => p != null && p !== '',
  );
  return `${parts.join(' ') || 'WebGPU adapter'}${fallback ? ' (fallback adapter)' : ''}`;
}

/** Asks for the WebGPU adapter tfjs would get (high-performance), with a time limit. */
export async function probeWebGpu(timeoutMs = 5_000): Promise<GpuProbe> {
  const gpu = (globalThis as unknown as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  const none = (unavailable: string): GpuProbe => ({ api: 'webgpu', unavailable, description: '', software: null });
  if (gpu == null) return none('navigator.gpu is not available');
  try {
    const adapter = await within(
      gpu.requestAdapter({ powerPreference: 'high-performance' }),
      timeoutMs,
      () => undefined,
    );
    if (adapter === undefined) return none(`no WebGPU adapter within ${timeoutMs} ms`);
    if (adapter == null) return none('no WebGPU adapter (the GPU is blocklisted, missing or lost)');
    const info = adapter.info ?? (await adapter.requestAdapterInfo?.().catch(() => undefined));
    const fallback = info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
    const description = describeAdapterInfo(info, fallback);
    const software = softwareRendererIn(description) ?? (fallback ? 'a fallback (software) adapter' : null);
    return { api: 'webgpu', unavailable: null, description, software };
  } catch (err) {
    return none(`requesting a WebGPU adapter threw: ${(err as Error).message}`);
  }
}

interface CanvasLike {
  getContext(kind: string, options?: object): unknown;
}

/** Creates a throwaway canvas: a DOM canvas in a page, an OffscreenCanvas in a worker. */
function scratchCanvas(): CanvasLike | null {
  const g = globalThis as unknown as {
    OffscreenCanvas?: new (w: number, h: number) => CanvasLike;
    document?: { createElement(tag: string): CanvasLike };
  };
  if (g.OffscreenCanvas != null) return new g.OffscreenCanvas(1, 1);
  return g.document?.createElement('canvas') ?? null;
}

/** Reads the WebGL renderer string from a throwaway context (then loses it, so tfjs's own context is not starved). */
export function probeWebGl(): GpuProbe {
  const none = (unavailable: string): GpuProbe => ({ api: 'webgl', unavailable, description: '', software: null });
  const canvas = scratchCanvas();
  if (canvas == null) return none('no canvas (document/OffscreenCanvas) to create a WebGL context');
  try {
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (gl == null) return none('the browser refused a WebGL context (disabled, blocklisted or lost)');
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { api: 'webgl', unavailable: null, description: renderer, software: softwareRendererIn(renderer) };
  } catch (err) {
    return none(`creating a WebGL context threw: ${(err as Error).message}`);
  }
}
