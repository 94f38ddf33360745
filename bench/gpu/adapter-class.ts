/**
 * Whether a GPU adapter is hardware, as a pure function of what the browser (or Dawn in Node) said about it. A GPU
 * emulated on the CPU (SwiftShader, llvmpipe, a WebGPU fallback adapter, …) would make `bench gpu` time the CPU under
 * a GPU's name, so the bench runs only on adapters classified as hardware and refuses otherwise.
 */
import { softwareRendererIn } from '../../src/lab/backend/gpu-probe';

export type GpuApi = 'webgpu' | 'webgl';

/** What one GPU API reported, raw: WebGPU's adapter.info fields, or WebGL's unmasked renderer string. */
export interface AdapterReport {
  api: GpuApi;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  /** WebGL: WEBGL_debug_renderer_info's UNMASKED_RENDERER_WEBGL (or RENDERER without the extension). */
  renderer?: string;
  /** Why the API gave no adapter or context at all. */
  missing?: string;
}

export type AdapterClass =
  | { kind: 'hardware'; api: GpuApi; adapter: string }
  | { kind: 'software'; api: GpuApi; adapter: string; software: string }
  | { kind: 'none'; api: GpuApi; reason: string };

/** The adapter as one line: "nvidia ampere NVIDIA GeForce RTX 3080", or WebGL's renderer string. */
export function describeAdapter(report: AdapterReport): string {
  if (report.api === 'webgl') return report.renderer ?? '';
  const parts = [report.vendor, report.architecture, report.device, report.description].filter(
    (p) => p != null && p !== '',
  );
  return parts.join(' ');
}

export function classifyAdapter(report: AdapterReport): AdapterClass {
  const api = report.api;
  if (report.missing != null) return { kind: 'none', api, reason: report.missing };
  const adapter = describeAdapter(report) || `an unnamed ${api === 'webgpu' ? 'WebGPU adapter' : 'WebGL renderer'}`;
  const named = softwareRendererIn(adapter);
  if (named != null) return { kind: 'software', api, adapter, software: named };
  if (report.isFallbackAdapter === true) {
    return { kind: 'software', api, adapter, software: 'a WebGPU fallback adapter' };
  }
  // Google makes no desktop GPU: Dawn and ANGLE report "Google" for their software paths (SwiftShader).
  if (/^google$/i.test(report.vendor ?? '') || /^ANGLE \(Google[,)]/i.test(report.renderer ?? '')) {
    return { kind: 'software', api, adapter, software: "Google's software adapter" };
  }
  return { kind: 'hardware', api, adapter };
}

/** `bench gpu`'s exit code when no environment offered a hardware adapter: distinct from failures (1), usage (2). */
export const SOFTWARE_ADAPTER_EXIT = 3;

/** One classification as the bench prints it. */
export function describeClass(c: AdapterClass): string {
  const api = c.api === 'webgpu' ? 'WebGPU' : 'WebGL';
  if (c.kind === 'none') return `${api}: no adapter (${c.reason})`;
  if (c.kind === 'software') return `${api}: software, ${c.software} (${c.adapter})`;
  return `${api}: hardware (${c.adapter})`;
}

/** The refusal printed when `where` offered no hardware adapter; it names every adapter found and why none counts. */
export function refusalMessage(where: string, classes: readonly AdapterClass[]): string {
  const why = classes.some((c) => c.kind === 'software')
    ? " A software adapter emulates the GPU on the CPU, so its images/s would measure the CPU under a GPU's name."
    : '';
  return (
    `refused: no hardware GPU adapter in ${where} — ${classes.map(describeClass).join('; ')}.${why} Run ` +
    '`npm run bench -- gpu` on a machine with a GPU and its driver (docs/backends.md, "The GPU bench").'
  );
}
