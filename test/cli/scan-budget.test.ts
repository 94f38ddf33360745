/**
 * `xray-lab scan` says, before anything is decoded, what compare would decode: the images it would take (after
 * --limit) at --size and --channels against compare's default memory budget.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-scan-budget-'));
  await writeDataset(join(root, 'data'), { perClass: 8, size: 20, seed: 2 });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('xray-lab scan and the data budget', () => {
  it('prints the estimate line for the images compare would decode, at its size and channels', async () => {
    const grey = await runCliCaptured(['scan', join(root, 'data'), '--size', '64', '--channels', '1', '--json']);
    expect(grey.code, grey.stderr).toBe(0);
    expect(grey.stderr).toMatch(
      /^for compare: 16 images at 64×64×1 need 65\.5 kB decoded; memory budget [\d.,]+ [MG]B \(a quarter of this machine's .*\): fits$/m,
    );
    const limited = await runCliCaptured(['scan', join(root, 'data'), '--size', '32', '--limit', '10', '--json']);
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.stderr).toMatch(/^for compare: 10 images at 32×32×3 need 30\.7 kB decoded; .*: fits$/m);
    expect(JSON.parse(limited.stdout).images).toBe(10);
  });
});
