/**
 * The done-when check of DICOM support: `preview`'s pixels for every transfer syntax and photometric set-up against
 * an independent decoder, Debian's dcmtk (dcmj2pnm, and dcml2pnm for JPEG-LS), at the image's own size (preview's
 * resize is then the identity, so the comparison is of decoding and display alone): mean |difference| ≤ 1 grey level.
 * dcmtk also compresses what the fixtures cannot (JPEG lossless and extended, RLE, JPEG-LS) from an uncompressed file
 * the test wrote. It reads no JPEG 2000 or HTJ2K: those files are compared with dcmtk's view of the uncompressed file
 * they were losslessly encoded from.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPattern, writeDicom, type DicomSpec } from '../helpers/dicom-files';
import { runCliCaptured } from '../helpers/run-cli';

const hasDcmtk = (() => {
  try {
    execFileSync(
      'sh',
      ['-c', 'for tool in dcmj2pnm dcml2pnm dcmcjpeg dcmcjpls dcmcrle; do command -v $tool || exit 1; done'],
      { stdio: 'pipe' },
    );
    return true;
  } catch {
    return false;
  }
})();
if (!hasDcmtk)
  console.warn('preview-dcmtk: skipped, dcmtk is not installed (apt-get install dcmtk; .ci/run installs it)');

const SIZE = 48;
let root = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-dcmtk-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Case {
  readonly name: string;
  readonly spec: Omit<DicomSpec, 'width' | 'height'>;
  /** A dcmtk compressor to apply to the written file: [tool, ...options]. */
  readonly compress?: readonly string[];
  /** dcmtk's VOI option: the file's first window (default), its VOI LUT, its histogram window, or ours from --json. */
  readonly voi?: 'window' | 'voi-lut' | 'histogram' | 'ours';
  /** Extra dcmtk options (the VOI LUT function, when dcmtk would not read it from the file). */
  readonly extra?: readonly string[];
  /** dcmtk cannot read the syntax: compare with its view of the uncompressed file. */
  readonly viaUncompressed?: boolean;
}

const v12 = testPattern(SIZE, SIZE, 150, 3900);
const v8 = testPattern(SIZE, SIZE, 25, 230);
const w12 = { center: 2100, width: 3000 };
const twelve = { values: v12, bitsStored: 12, window: w12 } as const;
const eight = { values: v8, bitsAllocated: 8 } as const;

const CASES: Case[] = [
  // Transfer syntaxes.
  { name: 'explicit VR little endian', spec: twelve },
  { name: 'implicit VR little endian', spec: { ...twelve, syntax: 'implicit-le' } },
  { name: 'explicit VR big endian', spec: { ...twelve, syntax: 'explicit-be' } },
  { name: 'deflated explicit VR little endian', spec: { ...twelve, syntax: 'deflate' } },
  { name: "RLE (the fixtures' writer)", spec: { ...twelve, syntax: 'rle' } },
  { name: 'RLE (dcmcrle)', spec: twelve, compress: ['dcmcrle'] },
  { name: 'JPEG baseline (libjpeg-turbo)', spec: { ...eight, syntax: 'jpeg-baseline' }, voi: 'histogram' },
  { name: 'JPEG baseline (dcmcjpeg)', spec: eight, compress: ['dcmcjpeg', '+eb', '+q', '95'], voi: 'histogram' },
  {
    name: 'JPEG extended, 8 bits (dcmcjpeg)',
    spec: eight,
    compress: ['dcmcjpeg', '+ee', '+q', '95'],
    voi: 'histogram',
  },
  { name: 'JPEG lossless SV1, 12 bits (dcmcjpeg)', spec: twelve, compress: ['dcmcjpeg', '+e1'] },
  { name: 'JPEG lossless, predictor 6, 12 bits (dcmcjpeg)', spec: twelve, compress: ['dcmcjpeg', '+el'] },
  { name: 'JPEG lossless SV1, 8 bits (dcmcjpeg)', spec: eight, compress: ['dcmcjpeg', '+e1'], voi: 'histogram' },
  { name: 'JPEG-LS lossless (CharLS)', spec: { ...twelve, syntax: 'jpeg-ls' } },
  { name: 'JPEG-LS lossless (dcmcjpls)', spec: twelve, compress: ['dcmcjpls'] },
  { name: 'JPEG 2000 lossless (OpenJPEG)', spec: { ...twelve, syntax: 'jpeg-2000' }, viaUncompressed: true },
  { name: 'HTJ2K lossless (OpenJPH)', spec: { ...twelve, syntax: 'htj2k' }, viaUncompressed: true },
  // Photometric set-ups and the display pipeline.
  { name: 'MONOCHROME1', spec: { ...twelve, photometric: 'MONOCHROME1' } },
  { name: 'MONOCHROME1 compressed (JPEG-LS)', spec: { ...twelve, photometric: 'MONOCHROME1', syntax: 'jpeg-ls' } },
  { name: '12 bits stored, HighBit 13, junk above', spec: { ...twelve, highBit: 13, junkHighBits: true } },
  {
    name: 'signed, rescaled to Hounsfield-like units',
    spec: {
      values: v12.map((v) => v - 2000),
      bitsStored: 13,
      signed: true,
      rescale: { slope: 1, intercept: -1024 },
      window: { center: -900, width: 2500 },
    },
  },
  {
    name: 'rescale slope and intercept',
    spec: { ...twelve, rescale: { slope: 0.5, intercept: 100 }, window: { center: 1100, width: 1500 } },
  },
  { name: 'SIGMOID window', spec: { ...twelve, window: { ...w12, fn: 'SIGMOID' } }, extra: ['+Wfs'] },
  {
    name: 'VOI LUT sequence',
    spec: {
      ...twelve,
      voiLut: {
        firstMapped: 0,
        bits: 16,
        data: Array.from({ length: 4096 }, (_, i) => Math.round(65535 * Math.sqrt(i / 4095))),
      },
    },
    voi: 'voi-lut',
  },
  {
    name: 'modality LUT sequence',
    spec: {
      ...twelve,
      modalityLut: { firstMapped: 0, bits: 12, data: Array.from({ length: 4096 }, (_, i) => 4095 - i) },
    },
  },
  { name: 'robust min–max (no window)', spec: { values: v12, bitsStored: 12 }, voi: 'histogram' },
  {
    name: 'robust min–max, MONOCHROME1',
    spec: { values: v12, bitsStored: 12, photometric: 'MONOCHROME1' },
    voi: 'histogram',
  },
  {
    name: 'padding left out of the min–max',
    spec: { values: v12.map((v, i) => (i % SIZE < 5 ? 0 : v)), bitsStored: 12, padding: 0 },
    voi: 'ours',
  },
];

describe.skipIf(!hasDcmtk)("preview against dcmtk, at the image's own size", () => {
  it.each(CASES)('$name', async (c) => {
    const dir = join(root, c.name.replace(/[^a-z0-9]+/gi, '-'));
    const source = join(root, `${dir.split('/').at(-1)}-source.dcm`);
    await writeFile(source, await writeDicom({ width: SIZE, height: SIZE, ...c.spec }));
    const file = c.compress ? `${source}.compressed` : source;
    if (c.compress) execFileSync(c.compress[0], [...c.compress.slice(1), source, file], { stdio: 'pipe' });
    const { code, stdout, stderr } = await runCliCaptured([
      'preview',
      file,
      '--size',
      String(SIZE),
      '--channels',
      '1',
      '--out',
      dir,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const [record] = JSON.parse(stdout);
    const ours = PNG.sync.read(await readFile(record.output));
    expect([ours.width, ours.height]).toEqual([SIZE, SIZE]);
    const oursGrey = Uint8Array.from({ length: SIZE * SIZE }, (_, i) => ours.data[4 * i]);

    const reference = c.viaUncompressed ? join(root, `${dir.split('/').at(-1)}-plain.dcm`) : file;
    if (c.viaUncompressed)
      await writeFile(reference, await writeDicom({ width: SIZE, height: SIZE, ...c.spec, syntax: 'explicit-le' }));
    const voi =
      c.voi === 'voi-lut'
        ? ['+Wl', '1']
        : c.voi === 'histogram'
          ? ['+Wh', '1']
          : c.voi === 'ours'
            ? ['+Ww', String(record.window.center), String(record.window.width)]
            : ['+Wi', '1'];
    const tool = record.transferSyntaxUid.startsWith('1.2.840.10008.1.2.4.8') ? 'dcml2pnm' : 'dcmj2pnm';
    const pgm = join(root, `${dir.split('/').at(-1)}.pgm`);
    execFileSync(tool, [...voi, ...(c.extra ?? []), reference, pgm], { stdio: 'pipe' });
    const theirs = readPgm(await readFile(pgm));
    expect(theirs.length).toBe(SIZE * SIZE);

    const mean = oursGrey.reduce((s, v, i) => s + Math.abs(v - theirs[i]), 0) / theirs.length;
    const against = `${tool} ${voi.join(' ')}`;
    console.info(`preview vs ${against}: ${c.name} (${record.transferSyntax}): mean |Δ| ${mean.toFixed(3)}`);
    expect(mean).toBeLessThanOrEqual(1);
    // Not two blank images: the picture spans most of the grey range.
    expect(Math.max(...theirs) - Math.min(...theirs)).toBeGreaterThan(100);
  });
});

/** An 8-bit binary PGM (P5), as dcmtk writes it. */
function readPgm(bytes: Buffer): Uint8Array {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 64).toString('latin1'));
  if (!header || header[3] !== '255') throw new Error('dcmtk wrote no 8-bit PGM');
  return new Uint8Array(bytes.subarray(header[0].length));
}
