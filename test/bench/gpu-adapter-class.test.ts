/**
 * The GPU bench's adapter classification: real adapter descriptions as Chromium and Dawn report them, hardware and
 * software, and the refusal text that names what was found.
 */
import { describe, expect, it } from 'vitest';
import { classifyAdapter, refusalMessage, type AdapterReport } from '../../bench/gpu/adapter-class';

const kind = (report: AdapterReport) => classifyAdapter(report).kind;

const SWIFTSHADER_WEBGL =
  'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const NVIDIA_VULKAN_WEBGL = 'ANGLE (NVIDIA, Vulkan 1.3.242 (NVIDIA H100 80GB HBM3 (0x00002330)), NVIDIA-535.104.05)';

describe('classifyAdapter', () => {
  it('takes real GPUs as hardware: NVIDIA over Vulkan, AMD, Intel, Apple', () => {
    expect(
      kind({
        api: 'webgpu',
        vendor: 'nvidia',
        architecture: 'ampere',
        description: 'NVIDIA GeForce RTX 3080',
        isFallbackAdapter: false,
      }),
    ).toBe('hardware');
    expect(classifyAdapter({ api: 'webgl', renderer: NVIDIA_VULKAN_WEBGL })).toEqual({
      kind: 'hardware',
      api: 'webgl',
      adapter: NVIDIA_VULKAN_WEBGL,
    });
    expect(kind({ api: 'webgpu', vendor: 'amd', architecture: 'rdna-2' })).toBe('hardware');
    expect(
      kind({ api: 'webgl', renderer: 'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)' }),
    ).toBe('hardware');
    expect(kind({ api: 'webgl', renderer: 'ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)' })).toBe(
      'hardware',
    );
  });

  it('names SwiftShader, as Chromium reports it for WebGPU and WebGL', () => {
    const webgpu = classifyAdapter({
      api: 'webgpu',
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: '',
      isFallbackAdapter: true,
    });
    expect(webgpu).toMatchObject({ kind: 'software', software: 'SwiftShader', adapter: 'google swiftshader' });
    expect(classifyAdapter({ api: 'webgl', renderer: SWIFTSHADER_WEBGL })).toMatchObject({
      kind: 'software',
      software: 'SwiftShader',
    });
  });

  it('takes llvmpipe, lavapipe, WARP, a fallback adapter and a Google adapter as software', () => {
    expect(classifyAdapter({ api: 'webgl', renderer: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toMatchObject({
      software: 'llvmpipe',
    });
    expect(kind({ api: 'webgpu', vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('software');
    expect(classifyAdapter({ api: 'webgpu', vendor: 'mesa', description: 'lavapipe' })).toMatchObject({
      software: 'lavapipe',
    });
    expect(kind({ api: 'webgl', renderer: 'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11)' })).toBe(
      'software',
    );
    expect(
      classifyAdapter({ api: 'webgpu', vendor: 'acme', architecture: 'x', isFallbackAdapter: true }),
    ).toMatchObject({ kind: 'software', software: 'a WebGPU fallback adapter' });
    expect(classifyAdapter({ api: 'webgpu', vendor: 'Google', architecture: '' })).toMatchObject({
      kind: 'software',
      software: "Google's software adapter",
    });
  });

  it('says when there is no adapter at all', () => {
    expect(classifyAdapter({ api: 'webgpu', missing: 'requestAdapter() gave null' })).toEqual({
      kind: 'none',
      api: 'webgpu',
      reason: 'requestAdapter() gave null',
    });
  });
});

describe('refusalMessage', () => {
  it('names every adapter found and why none counts', () => {
    const text = refusalMessage('Chromium', [
      classifyAdapter({ api: 'webgpu', missing: 'requestAdapter() gave null' }),
      classifyAdapter({ api: 'webgl', renderer: SWIFTSHADER_WEBGL }),
    ]);
    expect(text).toMatch(/^refused: no hardware GPU adapter in Chromium/);
    expect(text).toContain('WebGPU: no adapter (requestAdapter() gave null)');
    expect(text).toContain(`WebGL: software, SwiftShader (${SWIFTSHADER_WEBGL})`);
    expect(text).toContain('would measure the CPU');
  });

  it('does not blame a software adapter when there was none', () => {
    const text = refusalMessage('Node', [classifyAdapter({ api: 'webgpu', missing: 'requestAdapter() gave null' })]);
    expect(text).not.toContain('software');
  });
});
