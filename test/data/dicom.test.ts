import { describe, expect, it } from 'vitest';
import { decodeDicom, parseDicom } from '../../src/lab/data/dicom';
import { DataError } from '../../src/lab/data/errors';
import { readImageHeader } from '../../src/lab/data/image-header';
import { testPattern, writeDicom, type DicomSpec, type FixtureSyntax } from '../helpers/dicom-files';

const W = 40;
const H = 32;

async function grey(spec: Partial<DicomSpec> & Pick<DicomSpec, 'values'>, name = 'x.dcm'): Promise<Uint8Array> {
  return (await decodeDicom(await writeDicom({ width: W, height: H, ...spec }), name)).raster.data;
}

async function problemOf(bytes: Uint8Array, name = 'bad.dcm'): Promise<string> {
  try {
    await decodeDicom(bytes, name);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('decoded without an error');
}

const meanAbs = (a: Uint8Array, b: Uint8Array): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
const maxAbs = (a: Uint8Array, b: Uint8Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('DICOM transfer syntaxes', () => {
  const values12 = testPattern(W, H, 200, 3800);
  const window = { center: 2000, width: 3200 };

  it.each(['implicit-le', 'explicit-be', 'deflate', 'rle', 'jpeg-ls', 'jpeg-2000', 'htj2k'] as FixtureSyntax[])(
    '%s gives the same pixels as explicit VR little endian (12 bits stored)',
    async (syntax) => {
      const reference = await grey({ values: values12, bitsStored: 12, window });
      const decoded = await grey({ values: values12, bitsStored: 12, window, syntax });
      expect(decoded).toEqual(reference);
      // Not a blank image: the window spreads the pattern over most of the grey range.
      expect(Math.max(...decoded) - Math.min(...decoded)).toBeGreaterThan(150);
    },
  );

  it('JPEG baseline (8 bits, lossy) stays within a grey level of the uncompressed image on average', async () => {
    const values8 = testPattern(64, 64, 30, 220);
    const reference = await grey({ values: values8, bitsAllocated: 8, width: 64, height: 64 });
    const decoded = await grey({ values: values8, bitsAllocated: 8, width: 64, height: 64, syntax: 'jpeg-baseline' });
    expect(meanAbs(decoded, reference)).toBeLessThanOrEqual(1);
  });

  it('names the syntax, bits and window it used', async () => {
    const bytes = await writeDicom({
      width: W,
      height: H,
      values: values12,
      bitsStored: 12,
      syntax: 'jpeg-ls',
      window,
    });
    const { facts } = await decodeDicom(bytes, 'a.dcm');
    expect(facts).toMatchObject({
      transferSyntax: 'JPEG-LS Lossless',
      transferSyntaxUid: '1.2.840.10008.1.2.4.80',
      bitsStored: 12,
      bitsAllocated: 16,
    });
    expect(facts.voi).toEqual({ kind: 'window', source: 'header', center: 2000, width: 3200, fn: 'LINEAR' });
    expect(readImageHeader(bytes, 'a.dcm')).toMatchObject({
      format: 'dicom',
      width: W,
      height: H,
      bitDepth: 12,
      channels: 1,
    });
  });
});

describe('DICOM display pipeline', () => {
  const values = testPattern(W, H, 100, 3000);

  it('keeps BitsStored bits below HighBit and ignores what is stored above them', async () => {
    const clean = await grey({ values, bitsStored: 12 });
    expect(await grey({ values, bitsStored: 12, junkHighBits: true })).toEqual(clean);
    expect(await grey({ values, bitsStored: 12, highBit: 13, junkHighBits: true })).toEqual(clean);
  });

  it("reads signed pixels (PixelRepresentation 1) as two's complement", async () => {
    const shifted = Array.from(values, (v) => v - 2000);
    expect(Math.min(...shifted)).toBeLessThan(0);
    // The computed window follows the values, so the same picture comes out.
    expect(await grey({ values: shifted, bitsStored: 13, signed: true })).toEqual(
      await grey({ values, bitsStored: 13 }),
    );
  });

  it('applies Rescale Slope and Intercept before the window', async () => {
    // LINEAR_EXACT is linear in the value, so rescaling the pixels and the window alike changes nothing.
    const plain = await grey({ values, bitsStored: 12, window: { center: 1500, width: 2000, fn: 'LINEAR_EXACT' } });
    const rescaled = await grey({
      values,
      bitsStored: 12,
      rescale: { slope: 2, intercept: -1024 },
      window: { center: 1500 * 2 - 1024, width: 4000, fn: 'LINEAR_EXACT' },
    });
    expect(rescaled).toEqual(plain);
    const unscaledWindow = await grey({
      values,
      bitsStored: 12,
      rescale: { slope: 2, intercept: -1024 },
      window: { center: 1500, width: 2000, fn: 'LINEAR_EXACT' },
    });
    expect(maxAbs(unscaledWindow, plain)).toBeGreaterThan(50);
  });

  it('uses a Modality LUT Sequence instead of the rescale', async () => {
    const reversed = Array.from({ length: 4096 }, (_, i) => 4095 - i);
    const viaLut = await grey({
      values,
      bitsStored: 12,
      rescale: { slope: 3, intercept: 7 },
      modalityLut: { firstMapped: 0, bits: 12, data: reversed },
    });
    const plain = await grey({ values, bitsStored: 12 });
    // A reversed LUT reverses the picture (the computed window mirrors too); rounding may differ by one level.
    expect(
      maxAbs(
        viaLut,
        Uint8Array.from(plain, (v) => 255 - v),
      ),
    ).toBeLessThanOrEqual(1);
  });

  it('applies LINEAR, LINEAR_EXACT and SIGMOID windows as PS3.3 defines them', async () => {
    const ramp = Array.from({ length: W * H }, (_, i) => Math.round((i / (W * H - 1)) * 4095));
    const at = (image: Uint8Array, value: number): number => image[ramp.findIndex((v) => v >= value)];
    const linear = await grey({ values: ramp, bitsStored: 12, window: { center: 2048, width: 1024 } });
    const exact = await grey({
      values: ramp,
      bitsStored: 12,
      window: { center: 2048, width: 1024, fn: 'LINEAR_EXACT' },
    });
    const sigmoid = await grey({ values: ramp, bitsStored: 12, window: { center: 2048, width: 1024, fn: 'SIGMOID' } });
    for (const image of [linear, exact]) {
      expect(at(image, 1400)).toBe(0);
      expect(at(image, 2700)).toBe(255);
      expect(Math.abs(at(image, 2048) - 128)).toBeLessThanOrEqual(1);
    }
    // The sigmoid is 0.5 at the centre, 1/(1+e^2) a half-width below, and never clips inside the ramp's middle.
    expect(Math.abs(at(sigmoid, 2048) - 127.5)).toBeLessThanOrEqual(1);
    expect(Math.abs(at(sigmoid, 1536) - 255 / (1 + Math.exp(2)))).toBeLessThanOrEqual(1);
    expect(at(sigmoid, 1400)).toBeGreaterThan(0);
    for (const image of [linear, exact, sigmoid])
      for (let i = 1; i < image.length; i++) expect(image[i]).toBeGreaterThanOrEqual(image[i - 1]);
  });

  it('prefers a VOI LUT Sequence to the window', async () => {
    const falling = Array.from({ length: 4096 }, (_, i) => 65535 - i * 16);
    const image = await grey({
      values,
      bitsStored: 12,
      window: { center: 1500, width: 3000 },
      voiLut: { firstMapped: 0, bits: 16, data: falling },
    });
    const windowed = await grey({ values, bitsStored: 12, window: { center: 1500, width: 3000 } });
    const expected = Uint8Array.from(values, (v) => Math.round(((65535 - v * 16) / 65535) * 255));
    expect(image).toEqual(expected);
    expect(maxAbs(image, windowed)).toBeGreaterThan(100);
  });

  it('inverts MONOCHROME1 after the window', async () => {
    const window = { center: 1500, width: 2500 };
    const mono2 = await grey({ values, bitsStored: 12, window });
    const mono1 = await grey({ values, bitsStored: 12, window, photometric: 'MONOCHROME1' });
    expect(mono1).toEqual(Uint8Array.from(mono2, (v) => 255 - v));
  });

  it('leaves pixel padding out of the computed min–max window', async () => {
    // A 4-pixel frame of padding (value 0) around a pattern of 1000–3000: 30% of the image.
    const framed = testPattern(W, H, 1000, 3000).map((v, i) =>
      i % W < 4 || i % W >= W - 4 || i < 4 * W || i >= (H - 4) * W ? 0 : v,
    );
    const withPadding = await grey({ values: framed, bitsStored: 12, padding: 0 });
    const withoutPadding = await grey({ values: framed, bitsStored: 12 });
    const inside = (image: Uint8Array): number[] => Array.from(image).filter((_, i) => framed[i] !== 0);
    const interior = inside(withPadding);
    // With padding ignored the pattern spans the whole grey range; counted in, the frame's zeros squash it.
    expect(Math.max(...interior) - Math.min(...interior)).toBeGreaterThanOrEqual(250);
    const squashed = inside(withoutPadding);
    expect(Math.min(...squashed)).toBeGreaterThan(60);
  });

  it('falls back to a robust min–max when there is no window, ignoring a few extreme pixels', async () => {
    const hot = Array.from(values);
    hot[5] = 4095; // one hot pixel
    const { facts, raster } = await decodeDicom(
      await writeDicom({ width: W, height: H, values: hot, bitsStored: 12 }),
      'x.dcm',
    );
    expect(facts.voi).toMatchObject({ kind: 'window', source: 'min-max', fn: 'LINEAR' });
    const body = Array.from(raster.data).filter((_, i) => i !== 5);
    expect(Math.max(...body)).toBe(255);
  });
});

describe('DICOM files the lab refuses, one line each', () => {
  const values = testPattern(W, H, 0, 255);

  it('a file cut short in its pixel data or in its header', async () => {
    const whole = await writeDicom({ width: W, height: H, values, bitsStored: 12 });
    expect(await problemOf(whole.subarray(0, whole.length - 500), 'cut.dcm')).toBe(
      `cut.dcm: truncated DICOM (the file ends inside its pixel data: ${W * H * 2 - 500} of ${W * H * 2} bytes)`,
    );
    expect(await problemOf(whole.subarray(0, 200), 'head.dcm')).toMatch(/^head\.dcm: corrupt or truncated DICOM \(/);
    const jpegLs = await writeDicom({ width: W, height: H, values, bitsStored: 12, syntax: 'jpeg-ls' });
    expect(await problemOf(jpegLs.subarray(0, jpegLs.length - 300), 'ls.dcm')).toBe(
      'ls.dcm: truncated DICOM (the file ends inside its compressed pixel data)',
    );
    // Damage inside the compressed stream: its frame header says another size.
    const damaged = jpegLs.slice();
    const sof = damaged.findIndex((b, i) => b === 0xff && damaged[i + 1] === 0xf7);
    damaged[sof + 6] ^= 0x05;
    expect(await problemOf(damaged, 'ls.dcm')).toMatch(/^ls\.dcm: corrupt or truncated JPEG-LS Lossless pixel data \(/);
  });

  it('multi-frame, colour and FOR PROCESSING images', async () => {
    expect(await problemOf(await writeDicom({ width: W, height: H, values, frames: 3 }), 'cine.dcm')).toBe(
      'cine.dcm: multi-frame DICOM (3 frames): only single-frame images are read',
    );
    expect(
      await problemOf(
        await writeDicom({ width: W, height: H, values, bitsAllocated: 8, photometric: 'RGB' }),
        'rgb.dcm',
      ),
    ).toBe('rgb.dcm: colour DICOM (RGB): only greyscale images (MONOCHROME1, MONOCHROME2) are read');
    expect(
      await problemOf(
        await writeDicom({ width: W, height: H, values, presentationIntent: 'FOR PROCESSING' }),
        'raw.dcm',
      ),
    ).toMatch(/^raw\.dcm: DICOM "FOR PROCESSING" image \(raw detector data/);
  });

  it('a .dcm that is not DICOM, and a file without extension that is not an image', () => {
    const text = new TextEncoder().encode('patient list, not an image');
    expect(() => readImageHeader(text, 'a/b.dcm')).toThrow(
      'a/b.dcm: not a DICOM file (no "DICM" after its 128-byte preamble) (starts with text',
    );
    expect(() => readImageHeader(text, 'a/LICENSE')).toThrow(
      'a/LICENSE: not a JPEG, PNG or DICOM image (starts with text',
    );
  });
});

describe('what the decoder keeps of a header', () => {
  const patient = {
    name: 'Testperson^Planted',
    id: 'PLANTED-ID-4711',
    birthDate: '19230417',
    institution: 'Planted General',
    accession: 'ACC-PLANTED',
  };

  it('keeps no header text: a one-way patient key, the same for the same id and different for another', async () => {
    const values = testPattern(W, H, 0, 255);
    const a = await writeDicom({ width: W, height: H, values, patient });
    const b = await writeDicom({ width: W, height: H, values, patient: { ...patient, id: 'PLANTED-ID-4712' } });
    const { header } = parseDicom(a, 'a.dcm');
    const decoded = await decodeDicom(a, 'a.dcm');
    const kept = JSON.stringify({ header, facts: decoded.facts, key: decoded.patientKey });
    for (const value of Object.values(patient)) expect(kept).not.toContain(value);
    expect(kept).not.toContain('4711');
    expect(header.patientKey).toMatch(/^dicom:[0-9a-f]{16}$/);
    expect(parseDicom(a, 'again.dcm').header.patientKey).toBe(header.patientKey);
    expect(parseDicom(b, 'b.dcm').header.patientKey).not.toBe(header.patientKey);
    expect(parseDicom(await writeDicom({ width: W, height: H, values }), 'c.dcm').header.patientKey).toBeNull();
  });
});
