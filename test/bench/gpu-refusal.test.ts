/**
 * `npm run bench -- gpu` on this machine, whose Chromium has only SwiftShader: the bench must refuse before building
 * or training anything, name the software adapter, and exit with the refusal code. One Chromium launch, no training.
 */
import { describe, expect, it } from 'vitest';
import { SOFTWARE_ADAPTER_EXIT } from '../../bench/gpu/adapter-class';
import { runGpuBench } from '../../bench/gpu/index';
import { CHROMIUM } from '../helpers/chromium';

describe.skipIf(!CHROMIUM)('bench gpu on a machine with only a software GPU', () => {
  it('refuses with a line naming SwiftShader and the refusal exit code', async () => {
    let out = '';
    const log: string[] = [];
    const code = await runGpuBench(['--env', 'chromium', '--no-torch', '--no-write'], {
      out: (text) => (out += text),
      log: (line) => log.push(line),
    });
    expect(code).toBe(SOFTWARE_ADAPTER_EXIT);
    expect(out).toMatch(/^chromium: refused: no hardware GPU adapter in Chromium/);
    expect(out).toMatch(/software, SwiftShader/);
    // Refused before anything was built or measured.
    expect(log.join('\n')).not.toMatch(/bundling|batch 32/);
  });
});
