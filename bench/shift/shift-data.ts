/** The images the shift suite trains and measures on: generated phantoms, or a real dataset split by patient. */
import { prepareData } from '../../src/cli/prepare-data';
import type { ImageSet } from '../../src/lab/data/image-set';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import type { ShiftBenchOptions } from './options';

/** The three parts the suite works with, plus the positive class. */
export interface ShiftData {
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
  positiveClass: number;
  source: string;
}

export async function loadData(o: ShiftBenchOptions, log: (line: string) => void): Promise<ShiftData> {
  if (o.data === 'phantom') {
    // Generated X-rays: other seeds for each part, so no patient is on two sides.
    const per = (share: number) => Math.max(4, Math.round((o.limit * share) / 2));
    const make = (share: number, seed: number) =>
      generatePhantomImages({ perClass: per(share), size: o.size, channels: o.channels, seed });
    return {
      train: make(1 - o.valFraction - o.testFraction, 101),
      val: make(o.valFraction, 150),
      test: make(o.testFraction, 200),
      positiveClass: 1,
      source: 'phantom X-rays',
    };
  }
  const data = await prepareData({
    data: o.data,
    size: o.size,
    channels: o.channels,
    seed: 1,
    valFraction: o.valFraction,
    testFraction: o.testFraction,
    limit: o.limit,
    keepVal: false,
    positiveClass: null,
    log,
  });
  if (!data.val) throw new Error(`${o.data}: no validation images (raise --limit or --val-fraction)`);
  return { train: data.train, val: data.val, test: data.test, positiveClass: data.positiveClass, source: o.data };
}
