/**
 * The shifted evaluation sets of the suite, all built from the held-out part of the training folder: systematic image
 * changes (what another scanner or exposure does), a different class mix (seeded resample), and both at once.
 */
import type { ImageSet } from '../../src/lab/data/image-set';
import { shiftImageSet, type ImageShift } from '../../src/lab/shift/image-shifts';
import { resampleToPrevalence } from '../../src/lab/shift/resample-prior';

export interface ShiftCase {
  readonly name: string;
  readonly kind: 'none' | 'image' | 'prior' | 'image+prior';
  build(test: ImageSet, positiveClass: number): ImageSet;
}

const image = (name: string, shift: ImageShift): ShiftCase => ({
  name,
  kind: 'image',
  build: (test) => shiftImageSet(test, shift),
});

/** NORMAL-heavy mix: a quarter PNEUMONIA where training had about three quarters. */
export const SHIFTED_PREVALENCE = 0.25;
/** The mix of Kermany's official test folder (390 of 624 PNEUMONIA): a mild shift from the training folder's 0.74. */
export const KERMANY_TEST_PREVALENCE = 0.625;
const resample = (test: ImageSet, positiveClass: number, prevalence = SHIFTED_PREVALENCE) =>
  resampleToPrevalence(test, { positiveClass, prevalence, seed: 1 });

export const SHIFT_CASES: readonly ShiftCase[] = [
  { name: 'none', kind: 'none', build: (test) => test },
  image('gamma 1.5', { kind: 'gamma', gamma: 1.5 }),
  image('gamma 0.67', { kind: 'gamma', gamma: 0.67 }),
  image('contrast 0.7', { kind: 'contrast', factor: 0.7 }),
  image('brightness +0.1', { kind: 'brightness', offset: 0.1 }),
  image('blur σ1', { kind: 'blur', sigma: 1 }),
  {
    name: `prior ${KERMANY_TEST_PREVALENCE}`,
    kind: 'prior',
    build: (test, positiveClass) => resample(test, positiveClass, KERMANY_TEST_PREVALENCE),
  },
  { name: `prior ${SHIFTED_PREVALENCE}`, kind: 'prior', build: (test, positiveClass) => resample(test, positiveClass) },
  {
    name: `gamma 1.5 + prior ${SHIFTED_PREVALENCE}`,
    kind: 'image+prior',
    build: (test, positiveClass) => shiftImageSet(resample(test, positiveClass), { kind: 'gamma', gamma: 1.5 }),
  },
];
