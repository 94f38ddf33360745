import { describe, expect, it } from 'vitest';
import { countPerClass, imageBytes } from '../../src/lab/data/image-set';
import { patientId } from '../../src/lab/data/patient-id';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { patientSplit } from '../../src/lab/data/split';

describe('generatePhantomImages', () => {
  const set = generatePhantomImages({ perClass: 40, size: 48, channels: 1, seed: 11 });

  it('makes perClass images of each class, labelled, in an ImageSet', () => {
    expect(set.count).toBe(80);
    expect(set.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(countPerClass(set)).toEqual([40, 40]);
    expect(set.pixels.length).toBe(80 * imageBytes(48, 1));
    expect(set.files).toHaveLength(80);
  });

  it('is deterministic by seed', () => {
    const again = generatePhantomImages({ perClass: 40, size: 48, channels: 1, seed: 11 });
    expect(again.pixels).toEqual(set.pixels);
    expect(again.files).toEqual(set.files);
    const other = generatePhantomImages({ perClass: 40, size: 48, channels: 1, seed: 12 });
    let differing = 0;
    for (let i = 0; i < other.pixels.length; i++) if (other.pixels[i] !== set.pixels[i]) differing++;
    expect(differing / other.pixels.length).toBeGreaterThan(0.5);
  });

  it('repeats grey over three channels for RGB', () => {
    const rgb = generatePhantomImages({ perClass: 2, size: 16, channels: 3, seed: 11 });
    const grey = generatePhantomImages({ perClass: 2, size: 16, channels: 1, seed: 11 });
    for (let i = 0; i < grey.pixels.length; i++) {
      expect([rgb.pixels[3 * i], rgb.pixels[3 * i + 1], rgb.pixels[3 * i + 2]]).toEqual([
        grey.pixels[i],
        grey.pixels[i],
        grey.pixels[i],
      ]);
    }
  });

  it('names files in Kermany style with several images per patient, so patient splits work', () => {
    expect(set.files[0]).toBe('phantom/NORMAL/IM-0001-0001.png');
    expect(
      set.files.filter((f) => f.includes('/PNEUMONIA/')).every((f) => /\/person\d+_(bacteria|virus)_\d+\.png$/.test(f)),
    ).toBe(true);
    const patients = set.files.map(patientId);
    const distinct = new Set(patients).size;
    expect(distinct).toBeLessThan(60);
    expect(distinct).toBeGreaterThan(25);
    const split = patientSplit(
      set.files.map((f, i) => ({ label: set.labels[i], patient: patientId(f) })),
      { val: 0.2, test: 0 },
      1,
    );
    const trainPatients = new Set(split.train.map((i) => patients[i]));
    expect(split.val.some((i) => trainPatients.has(patients[i]))).toBe(false);
  });

  it('looks like a radiograph: dark corners, bright spine, darker lungs', () => {
    const size = 48;
    const per = size * size;
    let corner = 0;
    let spine = 0;
    let lung = 0;
    for (let n = 0; n < set.count; n++) {
      const at = (x: number, y: number) => set.pixels[n * per + y * size + x];
      corner += at(1, 1);
      spine += at(24, 10);
      lung += at(12, 20);
    }
    expect(corner / set.count).toBeLessThan(50);
    expect(spine / set.count).toBeGreaterThan(lung / set.count + 40);
  });

  it('differs between classes inside the lungs, but not in overall brightness alone', () => {
    const size = 48;
    const per = size * size;
    const mean = (n: number, x0: number, x1: number, y0: number, y1: number): number => {
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += set.pixels[n * per + y * size + x];
      return s / ((x1 - x0) * (y1 - y0));
    };
    // A brightness threshold on the whole image should not separate the classes well.
    const whole = Array.from({ length: set.count }, (_, n) => mean(n, 0, size, 0, size));
    let best = 0;
    for (const t of whole) {
      const acc = whole.filter((v, n) => (v > t ? 1 : 0) === set.labels[n]).length / set.count;
      best = Math.max(best, acc, 1 - acc);
    }
    expect(best).toBeLessThan(0.8);
    // Yet the brightest patch inside the lungs is, on average, brighter with pneumonia.
    const lungPeak = (n: number): number => {
      let peak = 0;
      for (const x0 of [8, 12, 28, 32])
        for (const y0 of [14, 18, 22, 26]) peak = Math.max(peak, mean(n, x0, x0 + 6, y0, y0 + 6));
      return peak;
    };
    const avg = (label: number) => {
      const values = whole
        .map((_, n) => n)
        .filter((n) => set.labels[n] === label)
        .map(lungPeak);
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    expect(avg(1)).toBeGreaterThan(avg(0) + 3);
  });

  it("with 'clear' opacities (the page's demo): same patients and names, the patches plainer, brightness alone still no guide", () => {
    const size = 48;
    const per = size * size;
    const clear = generatePhantomImages({ perClass: 40, size, channels: 1, seed: 11, opacities: 'clear' });
    expect(clear.files).toEqual(set.files);
    expect(Array.from(clear.labels)).toEqual(Array.from(set.labels));
    const mean = (s: typeof set, n: number) => {
      let sum = 0;
      for (let i = 0; i < per; i++) sum += s.pixels[n * per + i];
      return sum / per;
    };
    // Healthy images are the very same; pneumonia images are brighter inside the lungs.
    for (let n = 0; n < set.count; n++) {
      if (set.labels[n] === 0) expect(mean(clear, n)).toBe(mean(set, n));
    }
    const added = (s: typeof set) =>
      Array.from({ length: s.count }, (_, n) => n)
        .filter((n) => s.labels[n] === 1)
        .reduce((a, n) => a + mean(s, n), 0);
    expect(added(clear)).toBeGreaterThan(added(set));
    const whole = Array.from({ length: clear.count }, (_, n) => mean(clear, n));
    let best = 0;
    for (const t of whole) {
      const acc = whole.filter((v, n) => (v > t ? 1 : 0) === clear.labels[n]).length / clear.count;
      best = Math.max(best, acc, 1 - acc);
    }
    expect(best).toBeLessThan(0.8);
  });

  it('rejects bad options', () => {
    expect(() => generatePhantomImages({ perClass: -1, size: 32, channels: 1, seed: 1 })).toThrow(RangeError);
    expect(() => generatePhantomImages({ perClass: 1, size: 4, channels: 1, seed: 1 })).toThrow(RangeError);
    expect(() => generatePhantomImages({ perClass: 1, size: 32, channels: 1, seed: 1, classNames: ['A'] })).toThrow(
      RangeError,
    );
  });
});
