/**
 * The GPU path in Debian's Chromium (SwiftShader's software WebGL and WebGPU; fine for correctness at tiny sizes):
 * auto never trains on a software GPU, and measured calibration picks the fastest when told to consider them;
 * one training step of cnn and light-k2 on webgl and webgpu equals cpu's within stated tolerances (BatchNorm in
 * training and inference mode); float16-only WebGL is refused; no synchronous reads in the training loop; a batch
 * over WebGPU's buffer limit is refused up front. Skipped where no Chromium is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from '../helpers/chromium';
import { openGpuPage, type GpuPage } from './gpu-page';

/**
 * Tolerances of a GPU training step against cpu (the measured figures are 10–100× smaller; see
 * docs/backends.md): relative for the loss, logits and BatchNorm statistics; relative to each
 * variable's gradient scale (floored at 1e-3 of the model's largest) for gradients; absolute for weights after one
 * Adam step at learning rate 1e-3, where the gradient is not noise.
 */
export const PARITY_TOLERANCE = {
  loss: 1e-5,
  trainLogits: 1e-4,
  grads: 2e-3,
  statsAfter: 1e-4,
  inferLogits: 1e-4,
  weightsAfter: 1e-6,
} as const;

describe.skipIf(!CHROMIUM)('the GPU path in Chromium', () => {
  let gp: GpuPage;
  beforeAll(async () => {
    gp = await openGpuPage();
  }, 300_000);
  afterAll(async () => gp?.close());

  it('sees SwiftShader behind both GPU APIs, and auto trains on wasm instead, saying why', async () => {
    const probes = await gp.page.evaluate(() => window.xrayGpu.probes());
    expect(probes.isolated).toBe(true);
    expect(probes.webgpu.software).toBe('SwiftShader');
    expect(probes.webgl.software).toBe('SwiftShader');
    const auto = await gp.page.evaluate(() => window.xrayGpu.select('auto'));
    expect(auto.name).toBe('wasm');
    expect(auto.fallbacks.map((f) => f.name)).toEqual(['webgpu', 'webgl']);
    for (const f of auto.fallbacks) expect(f.reason).toMatch(/^software renderer \(SwiftShader\)/);
    // By name, a software GPU is still used.
    const named = await gp.page.evaluate(() => window.xrayGpu.select('webgl'));
    expect(named.name).toBe('webgl');
    expect(named.gpu?.software).toBe('SwiftShader');
  });

  it('auto with a target measures nothing here (no hardware GPU) and stays on wasm', async () => {
    const target = { modelId: 'light-k1', size: 16, channels: 3 as const, batchSize: 4 };
    const r = await gp.page.evaluate((t) => window.xrayGpu.auto(t, false), target);
    expect(r).toMatchObject({ name: 'wasm', measured: null, note: 'no hardware GPU to compare with wasm' });
  });

  it('calibration times every candidate (software GPUs allowed), picks the fastest and caches the figures', async () => {
    const target = { modelId: 'light-k1', size: 16, channels: 3 as const, batchSize: 4 };
    const first = await gp.page.evaluate((t) => window.xrayGpu.auto(t, true), target);
    expect(first.measured!.map((m) => m.name)).toEqual(['webgpu', 'webgl', 'wasm']);
    for (const m of first.measured!) expect(m.imagesPerSec, `${m.name}: ${m.note}`).toBeGreaterThan(0);
    const best = [...first.measured!].sort((a, b) => b.imagesPerSec! - a.imagesPerSec!)[0].name;
    expect(first.name).toBe(best);
    expect(first.cached).toBe(false);
    const again = await gp.page.evaluate((t) => window.xrayGpu.auto(t, true), target);
    expect(again.cached).toBe(true);
    expect(again.name).toBe(best);
    expect(again.measured).toEqual(first.measured);
  }, 180_000);

  describe.each(['webgl', 'webgpu'] as const)('one training step on %s equals cpu', (backend) => {
    it.each([
      ['cnn', 50],
      ['light-k2', 16],
    ] as const)(
      '%s at %i px',
      async (modelId, size) => {
        const parity = await gp.page.evaluate(
          ([b, m, s]) => window.xrayGpu.parity(b, { modelId: m, size: s, batch: 4, channels: 3, seed: 5 }),
          [backend, modelId, size] as const,
        );
        for (const [key, limit] of Object.entries(PARITY_TOLERANCE)) {
          expect(
            parity[key as keyof typeof PARITY_TOLERANCE],
            `${key} (${JSON.stringify(parity)})`,
          ).toBeLessThanOrEqual(limit);
        }
        // The weights left out of the comparison are a minority (biases before BatchNorm, dead units).
        expect(parity.weightsSkipped).toBeLessThan(0.25 * parity.weightsTotal);
      },
      120_000,
    );
  });

  it.each(['webgl', 'webgpu'] as const)(
    'updates a whole model with Adam in a fraction of the programs on %s',
    async (backend) => {
      const r = await gp.page.evaluate((b) => window.xrayGpu.adamDispatches(b, 'light-k5'), backend);
      // tfjs: about fourteen programs per variable; FusedAdam: two concatenations, the update, one slice per variable.
      expect(r.stock).toBeGreaterThanOrEqual(10 * r.variables);
      expect(r.fused).toBeLessThan(r.stock / 4);
    },
  );

  it('refuses WebGL that renders only float16 and falls back, saying why', async () => {
    const r = await gp.page.evaluate(() => window.xrayGpu.float16Guard());
    expect(r.name).not.toBe('webgl');
    expect(r.fallbacks[0]).toMatchObject({ name: 'webgl' });
    expect(r.fallbacks[0].reason).toMatch(/float16 textures only .*training in half precision is refused/);
  });

  // (On wasm and cpu tfjs's own asynchronous read goes through readSync, and a CPU has no pipeline to stall.)
  it.each(['webgl', 'webgpu'] as const)(
    'trains an epoch on %s without one synchronous read',
    async (backend) => {
      const r = await gp.page.evaluate((b) => window.xrayGpu.syncReads(b, 'light-k1', 16), backend);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(r.reads).toBe(0);
    },
    120_000,
  );

  it("refuses a batch over WebGPU's buffer limit before the first step", async () => {
    const r = await gp.page.evaluate(() => window.xrayGpu.bufferLimit('cnn', 128));
    expect(r.limit).toBeGreaterThan(0);
    expect(r.fits).toBeNull();
    expect(r.reason).toMatch(new RegExp(`a batch of ${r.batch} needs .* use a batch of at most ${r.batch - 1}`));
    expect(r.trainError).toBe(`BackendLimitError: ${r.reason}`);
    expect(r.leaked).toBe(0);
  });
});
