/**
 * One check of whether validation and test can give meaningful metrics (a test set of 1 NORMAL
 * image was reported as "ok" with accuracy 0.000 and "—" for sensitivity and AUC; `--limit 10` left no validation set,
 * silently).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/lab/data/errors';
import { nodeFolderSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import {
  checkSplits,
  requireUsefulSplits,
  splitCheckInputOf,
  type SplitCheckInput,
} from '../../src/lab/data/split-check';
import { runCliCaptured } from '../helpers/run-cli';
import { makeToyImageSet } from '../helpers/toy-images';
import { writeDataset } from '../helpers/write-dataset';

const CLASSES = ['NORMAL', 'PNEUMONIA'];
const input = (val: number[], test: number[], train = [50, 50]): SplitCheckInput => {
  const split = (perClass: number[]) => ({ count: perClass.reduce((a, b) => a + b, 0), perClass });
  return { classNames: CLASSES, positiveClass: 1, splits: { train: split(train), val: split(val), test: split(test) } };
};

describe('checkSplits', () => {
  it('finds nothing wrong with 10 or more images of both classes in validation and test', () => {
    expect(checkSplits(input([5, 5], [20, 30]))).toEqual([]);
  });

  it("the issue's test set of 1 NORMAL image: too small, and no positive case", () => {
    expect(checkSplits(input([5, 5], [1, 0])).map((p) => p.message)).toEqual([
      'test: only 1 image (NORMAL 1, PNEUMONIA 0), fewer than 10: one image moves accuracy by 100 %, so its metrics mean little',
      'test: 0 PNEUMONIA images (the positive class), so sensitivity and AUC are undefined: there is no positive case to find',
    ]);
  });

  it('no validation set, and a test set without negatives', () => {
    const problems = checkSplits(input([0, 0], [0, 12]));
    expect(problems.map((p) => [p.split, p.severity])).toEqual([
      ['val', 'warning'],
      ['test', 'warning'],
    ]);
    expect(problems[0].message).toBe(
      'validation: no images, so validation loss and accuracy are undefined: early stopping and the best-epoch restore have nothing to go by (raise the validation fraction or load more images)',
    );
    expect(problems[1].message).toBe(
      'test: only PNEUMONIA images, so specificity and AUC are undefined: there is no negative case to clear',
    );
  });

  it('names a missing class beyond the two the binary metrics use', () => {
    const three: SplitCheckInput = {
      classNames: ['COVID', 'NORMAL', 'PNEUMONIA'],
      positiveClass: 2,
      splits: {
        train: { count: 90, perClass: [30, 30, 30] },
        val: { count: 20, perClass: [5, 5, 10] },
        test: { count: 20, perClass: [0, 10, 10] },
      },
    };
    expect(checkSplits(three).map((p) => p.message)).toEqual([
      'test: 0 COVID images: that class is not measured at all',
    ]);
  });

  it('strict: the same problems as errors, and requireUsefulSplits throws one line naming the data', () => {
    expect(checkSplits(input([0, 0], [20, 20]), { strict: true })[0].severity).toBe('error');
    expect(requireUsefulSplits('data', input([0, 0], [20, 20]))).toHaveLength(1);
    let thrown: unknown;
    try {
      requireUsefulSplits('data', input([0, 0], [1, 0]), { strict: true });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DataError);
    expect((thrown as Error).message).toBe(
      'data: split not useful: validation: no images, so validation loss and accuracy are undefined: early stopping and the best-epoch restore have nothing to go by (raise the validation fraction or load more images) (and 2 more problems)',
    );
  });

  it('reads loaded image sets (what compare holds), a missing split as empty', () => {
    const test = makeToyImageSet(12, 8, 1, 4);
    const fromSets = splitCheckInputOf(CLASSES, 1, { train: test, val: null, test });
    expect(fromSets.splits.val).toEqual({ count: 0, perClass: [0, 0] });
    expect(fromSets.splits.test.count).toBe(12);
    expect(checkSplits(fromSets).map((p) => p.split)).toEqual(['val']);
  });
});

describe('on real splits of a folder', () => {
  let base: string;
  let tiny: string;
  let twenty: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'xray-lab-splitcheck-'));
    tiny = join(base, 'tiny');
    twenty = join(base, 'twenty');
    await writeDataset(tiny, { perClass: 2, size: 16, seed: 2 });
    await writeDataset(twenty, { perClass: 10, size: 16, seed: 2 });
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('--limit 10 of 20 images leaves no validation set, and the summary says so', async () => {
    const { summary } = await ingest(nodeFolderSource(twenty), { decoder: null, limit: 10 });
    expect(summary.splits.val.count).toBe(0);
    expect(checkSplits(summary).map((p) => p.message)).toContain(
      'validation: no images, so validation loss and accuracy are undefined: early stopping and the best-epoch restore have nothing to go by (raise the validation fraction or load more images)',
    );
  });

  it('`scan` warns about 2 images per class; `scan --strict` refuses with one line and exit 2', async () => {
    const warned = await runCliCaptured(['scan', tiny]);
    expect(warned.code).toBe(0);
    expect(warned.stdout).toMatch(/^ {2}WARNING test: only 1 image \(/m);
    expect(warned.stdout).toMatch(/^ {2}WARNING validation: no images/m);
    const strict = await runCliCaptured(['scan', tiny, '--strict']);
    expect(strict.code).toBe(2);
    // Progress lines come first; the error is one line, the last.
    const lines = strict.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('xray-lab scan:'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(new RegExp(`^xray-lab scan: ${tiny}: split not useful: validation: no images`));
  });
});
