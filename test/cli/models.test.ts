import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli';

describe('xray-lab models', () => {
  it("prints the study's parameter counts at 299×299×3 as JSON", async () => {
    const { code, stdout } = await runCliCaptured(['models', '--size', '299', '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Array<{ id: string; params: number; trainableParams: number; bytes: number }>;
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect([1, 2, 3, 4, 5].map((k) => byId[`light-k${k}`].params)).toEqual([2753, 4600, 6447, 8294, 10141]);
    expect(byId.cnn).toMatchObject({ params: 31074, trainableParams: 30738, bytes: 31074 * 4 });
    expect(byId['inception-v3']).toMatchObject({ params: 21_806_882, trainableParams: 4_098 });
    expect(byId['mobilenet-v2']).toMatchObject({
      group: 'transfer',
      params: 2_260_546,
      trainableParams: 2_562,
      minSize: 32,
    });
  });

  it('says that cnn needs at least 50 pixels at --size 32', async () => {
    const { code, stdout } = await runCliCaptured(['models', '--size', '32', '--json']);
    expect(code).toBe(0);
    const cnn = (
      JSON.parse(stdout) as Array<{ id: string; params: number | null; error?: string; minSize: number }>
    ).find((r) => r.id === 'cnn')!;
    expect(cnn.params).toBeNull();
    expect(cnn.minSize).toBe(50);
    expect(cnn.error).toMatch(/at least 50×50/);
  });

  it('rejects nonsense options with one line and exit code 2', async () => {
    for (const argv of [
      ['models', '--size', 'abc'],
      ['models', '--channels', '2'],
      ['models', '--bogus'],
    ]) {
      const { code, stderr } = await runCliCaptured(argv);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('runs as a plain Node executable (bin/xray-lab.mjs)', () => {
    const out = execFileSync(
      process.execPath,
      ['bin/xray-lab.mjs', 'models', '--size', '64', '--channels', '1', '--json'],
      { encoding: 'utf8' },
    );
    const rows = JSON.parse(out) as Array<{ id: string; params: number }>;
    expect(rows.find((r) => r.id === 'light-k1')!.params).toBe(2753 - 20);
  });
});
