/**
 * Software GPUs are recognised by their renderer or adapter strings (as browsers report them), and the WebGPU
 * probe copes with a fallback adapter, no adapter, a request that never answers and one that throws.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { probeWebGl, probeWebGpu, softwareRendererIn } from '../../src/lab/backend/gpu-probe';

describe('softwareRendererIn', () => {
  it.each([
    ['ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', 'SwiftShader'],
    ['google swiftshader', 'SwiftShader'],
    ['llvmpipe (LLVM 15.0.6, 256 bits)', 'llvmpipe'],
    ['ANGLE (Mesa, llvmpipe (LLVM 12.0.0, 256 bits), OpenGL 4.5)', 'llvmpipe'],
    [
      'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'Microsoft Basic Render Driver',
    ],
    ['Mesa lavapipe', 'lavapipe'],
  ])('%s is software (%s)', (renderer, name) => {
    expect(softwareRendererIn(renderer)).toBe(name);
  });

  it.each([
    'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)',
    'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
    'Apple M1',
    'AMD Radeon Pro 5500M OpenGL Engine',
    'nvidia ampere',
  ])('%s is a real GPU', (renderer) => {
    expect(softwareRendererIn(renderer)).toBeNull();
  });
});

describe('probeWebGpu', () => {
  const g = globalThis as unknown as { navigator?: unknown };
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  const withGpu = (gpu: unknown) =>
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  afterEach(() => {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete g.navigator;
  });

  it('says so when there is no navigator.gpu', async () => {
    expect((await probeWebGpu()).unavailable).toBe('navigator.gpu is not available');
  });

  it('flags a fallback adapter and a SwiftShader one as software', async () => {
    withGpu({
      requestAdapter: async () => ({
        info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true },
      }),
    });
    const probe = await probeWebGpu();
    expect(probe.unavailable).toBeNull();
    expect(probe.software).toBe('SwiftShader');
    expect(probe.description).toBe('google swiftshader (fallback adapter)');
    withGpu({ requestAdapter: async () => ({ isFallbackAdapter: true, info: { vendor: 'acme' } }) });
    expect((await probeWebGpu()).software).toBe('a fallback (software) adapter');
  });

  it('passes a real adapter', async () => {
    withGpu({
      requestAdapter: async () => ({ info: { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false } }),
    });
    expect(await probeWebGpu()).toEqual({
      api: 'webgpu',
      unavailable: null,
      description: 'nvidia ampere',
      software: null,
    });
  });

  it('reports a missing adapter, a request that never answers, and one that throws', async () => {
    withGpu({ requestAdapter: async () => null });
    expect((await probeWebGpu()).unavailable).toMatch(/no WebGPU adapter .*blocklisted, missing or lost/);
    withGpu({ requestAdapter: () => new Promise(() => undefined) });
    expect((await probeWebGpu(50)).unavailable).toBe('no WebGPU adapter within 50 ms');
    withGpu({
      requestAdapter: async () => {
        throw new Error('device lost');
      },
    });
    expect((await probeWebGpu()).unavailable).toBe('requesting a WebGPU adapter threw: device lost');
  });
});

describe('probeWebGl', () => {
  it('says there is no canvas in Node', () => {
    expect(probeWebGl().unavailable).toMatch(/no canvas/);
  });
});
