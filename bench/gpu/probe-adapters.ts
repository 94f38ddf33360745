/**
 * Asks the GPU APIs what they would run on, without starting tfjs: WebGPU's adapter (adapter.info and whether it is
 * a fallback adapter) and WebGL's unmasked renderer. Runs in a page through Playwright (serialised with toString, so
 * it is self-contained and declares no inner named functions: tsx would wrap them in a helper the page lacks) and in
 * Node once the `webgpu` package has installed navigator.gpu.
 */
import type { AdapterReport } from './adapter-class';

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<AdapterInfoLike>;
}

export async function probeAdapters(): Promise<AdapterReport[]> {
  const reports: AdapterReport[] = [];
  const g = globalThis as unknown as {
    navigator?: { gpu?: { requestAdapter(options?: object): Promise<AdapterLike | null> } };
    document?: { createElement(tag: 'canvas'): HTMLCanvasElement };
  };
  const gpu = g.navigator?.gpu;
  if (gpu == null) {
    reports.push({ api: 'webgpu', missing: 'navigator.gpu is not available (Linux needs --enable-unsafe-webgpu)' });
  } else {
    try {
      const adapter = await Promise.race([
        gpu.requestAdapter({ powerPreference: 'high-performance' }),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000)),
      ]);
      if (adapter === 'timeout') {
        reports.push({ api: 'webgpu', missing: 'requestAdapter() gave no answer within 10 s' });
      } else if (adapter == null) {
        reports.push({ api: 'webgpu', missing: 'requestAdapter() gave null (no usable GPU, or blocklisted)' });
      } else {
        const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
        reports.push({
          api: 'webgpu',
          vendor: info.vendor ?? '',
          architecture: info.architecture ?? '',
          device: info.device ?? '',
          description: info.description ?? '',
          isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
        });
      }
    } catch (err) {
      reports.push({ api: 'webgpu', missing: `requestAdapter() threw: ${String(err)}` });
    }
  }
  if (g.document == null) {
    reports.push({ api: 'webgl', missing: 'WebGL exists only in a browser' });
  } else {
    const canvas = g.document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (gl == null) {
      reports.push({ api: 'webgl', missing: 'the browser refused a WebGL context (disabled or blocklisted)' });
    } else {
      const debug = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
      reports.push({ api: 'webgl', renderer: String(renderer) });
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  }
  return reports;
}
