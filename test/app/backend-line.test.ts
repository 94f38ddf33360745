import { describe, expect, it } from 'vitest';
import { plainBackendLine } from '../../src/app/components/BackendIndicator';
import type { BackendInfo } from '../../src/worker/protocol';

const info = (over: Partial<BackendInfo>): BackendInfo => ({
  name: 'wasm',
  preference: 'auto',
  adapter: '',
  fallbacks: [],
  fastKernels: [],
  ...over,
});

describe('plainBackendLine', () => {
  it('says the processor trains, with its threads, and that no graphics card was usable', () => {
    const backend = info({
      adapter: 'SIMD, 2 threads',
      fallbacks: [
        { name: 'webgpu', reason: 'no WebGPU adapter (navigator.gpu missing)' },
        { name: 'webgl', reason: 'software renderer (SwiftShader)' },
      ],
    });
    expect(plainBackendLine(backend, false)).toBe(
      "Training on this computer's processor (WebAssembly, 2 threads); no usable graphics card found",
    );
  });

  it('does not claim a missing graphics card when none was tried, and counts one thread', () => {
    expect(plainBackendLine(info({ preference: 'wasm', adapter: 'SIMD, 1 thread' }), false)).toBe(
      "Training on this computer's processor (WebAssembly, 1 thread)",
    );
    expect(plainBackendLine(info({ name: 'cpu', preference: 'cpu' }), false)).toBe(
      "Training on this computer's processor (plain JavaScript, slow)",
    );
  });

  it('names the graphics card when one trains, and says when nothing has started', () => {
    expect(plainBackendLine(info({ name: 'webgpu', adapter: 'NVIDIA H100' }), false)).toBe(
      'Training on the graphics card (WebGPU: NVIDIA H100)',
    );
    expect(plainBackendLine(null, true)).toBe('Starting the training engine…');
  });
});
