import * as jpeg from 'jpeg-js';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { testPattern, writeDicom } from '../helpers/dicom-files';
import { encodePng } from '../helpers/png-encode';
import { runCliCaptured } from '../helpers/run-cli';

let root = '';
let inputs = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-preview-'));
  inputs = join(root, 'in');
  await mkdir(inputs);
  const values = testPattern(40, 30, 100, 3500);
  await writeFile(
    join(inputs, 'a.dcm'),
    await writeDicom({
      width: 40,
      height: 30,
      values,
      bitsStored: 12,
      syntax: 'jpeg-ls',
      window: { center: 1800, width: 3000 },
    }),
  );
  await writeFile(
    join(inputs, 'IM000002'),
    await writeDicom({ width: 40, height: 30, values, bitsStored: 12, photometric: 'MONOCHROME1' }),
  );
  const grey = testPattern(36, 28, 10, 240);
  await writeFile(
    join(inputs, 'c.png'),
    encodePng({ width: 36, height: 28, colorType: 0, bitDepth: 8, samples: grey }),
  );
  const rgba = new Uint8Array(36 * 28 * 4).map((_, i) =>
    i % 4 === 3 ? 255 : i % 4 === 0 ? grey[i >> 2] : grey[i >> 2] / 2,
  );
  await writeFile(join(inputs, 'd.jpg'), jpeg.encode({ data: rgba, width: 36, height: 28 }, 90).data);
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function pixelsOf(path: string): Promise<{ width: number; height: number; channels: number; data: Uint8Array }> {
  const png = PNG.sync.read(await readFile(path), { skipRescale: true });
  const channels = png.colorType === 0 ? 1 : 3;
  const data = Uint8Array.from(
    { length: png.width * png.height * channels },
    (_, i) => png.data[4 * Math.floor(i / channels) + (i % channels)],
  );
  return { width: png.width, height: png.height, channels, data };
}

describe('xray-lab preview', () => {
  it('writes exactly the pixels the pipeline stores, for DICOM, PNG and JPEG', async () => {
    for (const channels of [1, 3] as const) {
      const out = join(root, `out-${channels}`);
      const { code, stderr } = await runCliCaptured([
        'preview',
        inputs,
        '--size',
        '20',
        '--channels',
        String(channels),
        '--out',
        out,
      ]);
      expect(code, stderr).toBe(0);
      expect((await readdir(out)).sort()).toEqual(['IM000002.png', 'a.png', 'c.png', 'd.png']);
      const decoder = createNodeDecoder();
      for (const [input, output] of [
        ['a.dcm', 'a.png'],
        ['IM000002', 'IM000002.png'],
        ['c.png', 'c.png'],
        ['d.jpg', 'd.png'],
      ]) {
        const stored = await decoder.decode(new Uint8Array(await readFile(join(inputs, input))), input, {
          size: 20,
          channels,
        });
        const written = await pixelsOf(join(out, output));
        expect([written.width, written.height, written.channels], input).toEqual([20, 20, channels]);
        expect(written.data, input).toEqual(stored.pixels);
      }
    }
  });

  it("--json names each file's format, transfer syntax, photometric interpretation, bits and window", async () => {
    const { code, stdout } = await runCliCaptured([
      'preview',
      join(inputs, 'a.dcm'),
      join(inputs, 'IM000002'),
      join(inputs, 'c.png'),
      '--size',
      '16',
      '--out',
      join(root, 'json'),
      '--json',
    ]);
    expect(code).toBe(0);
    const [a, b, c] = JSON.parse(stdout);
    expect(a).toMatchObject({
      format: 'dicom',
      width: 40,
      height: 30,
      bits: 12,
      transferSyntax: 'JPEG-LS Lossless',
      transferSyntaxUid: '1.2.840.10008.1.2.4.80',
      photometric: 'MONOCHROME2',
      bitsAllocated: 16,
      window: { kind: 'window', source: 'header', center: 1800, width: 3000, fn: 'LINEAR' },
    });
    expect(b).toMatchObject({
      format: 'dicom',
      transferSyntax: 'Explicit VR Little Endian',
      photometric: 'MONOCHROME1',
      window: { source: 'min-max' },
    });
    expect(c).toMatchObject({
      format: 'png',
      width: 36,
      height: 28,
      bits: 8,
      channels: 1,
      transferSyntax: null,
      photometric: null,
      window: null,
    });
    expect(c.output).toBe(join(root, 'json', 'c.png'));
  });

  it('names a file it cannot read, writes the others, and exits with 2', async () => {
    const bad = join(root, 'bad.dcm');
    const good = await writeDicom({ width: 32, height: 32, values: testPattern(32, 32, 0, 255), bitsAllocated: 8 });
    await writeFile(bad, good.subarray(0, good.length - 100));
    const out = join(root, 'partly');
    const { code, stderr } = await runCliCaptured(['preview', bad, join(inputs, 'c.png'), '--size', '8', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `xray-lab preview: ${bad}: truncated DICOM (the file ends inside its pixel data: 924 of 1024 bytes)`,
    );
    expect(stderr).toContain('1 of 2 files could not be read');
    expect(await readdir(out)).toEqual(['c.png']);
  });

  it('refuses two inputs that would write one PNG, and a missing --out', async () => {
    await writeFile(
      join(root, 'c.dcm'),
      await writeDicom({ width: 32, height: 32, values: testPattern(32, 32, 0, 255), bitsAllocated: 8 }),
    );
    const clash = await runCliCaptured([
      'preview',
      join(root, 'c.dcm'),
      join(inputs, 'c.png'),
      '--out',
      join(root, 'clash'),
    ]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('would both be written as c.png');
    const noOut = await runCliCaptured(['preview', join(inputs, 'c.png')]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out DIR is needed');
  });
});
