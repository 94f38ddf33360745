/**
 * The one check of whether a split can give meaningful numbers, for the CLI (`scan`, `compare --strict`) and the page
 * alike. A test set of 1 NORMAL image gives accuracy 0 or 1 and no sensitivity or AUC at all; a missing validation set
 * leaves early stopping and the best-epoch restore blind. Such splits are not refused by default (a quick smoke run on
 * a tiny set is legitimate): each problem is a warning that says which metric it leaves undefined or unreliable and
 * why; `strict` makes them errors.
 */
import { DataError } from './errors';
import { countPerClass, type ImageSet } from './image-set';
import type { SplitName } from './layout';

/** Fewer images than this in validation or test gives numbers that move in steps of 10 % or more. */
export const MIN_SPLIT_IMAGES = 10;

/** What the check needs of a split: its size and its images per class (in label order). */
export interface SplitCountsLike {
  readonly count: number;
  readonly perClass: readonly number[];
}

/** What the check reads; a DatasetSummary has this shape. */
export interface SplitCheckInput {
  readonly classNames: readonly string[];
  /** Label scored as positive (sensitivity, ROC). */
  readonly positiveClass: number;
  readonly splits: Readonly<Record<SplitName, SplitCountsLike>>;
}

export interface SplitCheckOptions {
  /** Report problems as errors (compare --strict); default false: warnings. */
  readonly strict?: boolean;
  /** Default MIN_SPLIT_IMAGES. */
  readonly minImages?: number;
}

/** One problem: the split, how serious, and one line saying what it breaks. */
export interface SplitProblem {
  readonly split: 'val' | 'test';
  readonly severity: 'warning' | 'error';
  readonly message: string;
}

const SPLIT_WORD = { val: 'validation', test: 'test' } as const;
const pct = (f: number): string => `${Math.round(f * 100)} %`;

/** Every problem of the validation and test splits, validation first; [] when both are useful. */
export function checkSplits(input: SplitCheckInput, options: SplitCheckOptions = {}): SplitProblem[] {
  const severity = options.strict ? 'error' : 'warning';
  const min = options.minImages ?? MIN_SPLIT_IMAGES;
  const problems: SplitProblem[] = [];
  const add = (split: 'val' | 'test', message: string): void =>
    void problems.push({ split, severity, message: `${SPLIT_WORD[split]}: ${message}` });
  const { classNames, positiveClass } = input;
  const positive = classNames[positiveClass];

  for (const split of ['val', 'test'] as const) {
    const { count, perClass } = input.splits[split];
    const per = classNames.map((name, c) => `${name} ${perClass[c] ?? 0}`).join(', ');
    if (count === 0) {
      add(
        split,
        split === 'val'
          ? 'no images, so validation loss and accuracy are undefined: early stopping and the best-epoch restore have nothing to go by (raise the validation fraction or load more images)'
          : 'no images, so every test metric is undefined (give a test folder, raise the test fraction, or load more images)',
      );
      continue;
    }
    if (count < min) {
      add(
        split,
        `only ${count} image${count === 1 ? '' : 's'} (${per}), fewer than ${min}: one image moves accuracy by ${pct(1 / count)}, so its metrics mean little`,
      );
    }
    const negatives = count - (perClass[positiveClass] ?? 0);
    if ((perClass[positiveClass] ?? 0) === 0) {
      add(
        split,
        split === 'test'
          ? `0 ${positive} images (the positive class), so sensitivity and AUC are undefined: there is no positive case to find`
          : `0 ${positive} images (the positive class), so validation AUC is undefined and early stopping judges on one class only`,
      );
    }
    if (negatives === 0) {
      add(
        split,
        split === 'test'
          ? `only ${positive} images, so specificity and AUC are undefined: there is no negative case to clear`
          : `only ${positive} images, so validation AUC is undefined and early stopping judges on one class only`,
      );
    }
    // With more than two classes, a missing non-positive class is not caught by the two lines above.
    for (let c = 0; c < classNames.length; c++) {
      if (c !== positiveClass && negatives > 0 && (perClass[c] ?? 0) === 0)
        add(split, `0 ${classNames[c]} images: that class is not measured at all`);
    }
  }
  return problems;
}

/**
 * checkSplits, throwing in strict mode: a DataError naming `where` with the first problem (and how many more), so a
 * CLI prints one line and exits 2. Returns the warnings otherwise.
 */
export function requireUsefulSplits(
  where: string,
  input: SplitCheckInput,
  options: SplitCheckOptions = {},
): SplitProblem[] {
  const problems = checkSplits(input, options);
  if (!options.strict || problems.length === 0) return problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new DataError(where, `split not useful: ${problems[0].message}${more}`);
}

/** The check's input from loaded image sets (what compare holds after decoding); a null split counts as empty. */
export function splitCheckInputOf(
  classNames: readonly string[],
  positiveClass: number,
  sets: Readonly<Record<SplitName, ImageSet | null>>,
): SplitCheckInput {
  const counts = (set: ImageSet | null): SplitCountsLike =>
    set ? { count: set.count, perClass: countPerClass(set) } : { count: 0, perClass: classNames.map(() => 0) };
  return {
    classNames,
    positiveClass,
    splits: { train: counts(sets.train), val: counts(sets.val), test: counts(sets.test) },
  };
}
