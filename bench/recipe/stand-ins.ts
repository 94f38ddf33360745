/**
 * Stand-ins for another hospital's images, built from held-out patients of the training folder: the set as it is,
 * the exposure, contrast, sharpness, noise and field-of-view changes another scanner makes, and the class mix of
 * Kermany's official test folder and of a screening population. None of them is used to choose epochs or weights.
 */
import type { ImageSet } from '../../src/lab/data/image-set';
import { shiftImageSet, type ImageShift } from '../../src/lab/shift/image-shifts';
import { resampleToPrevalence } from '../../src/lab/shift/resample-prior';
import { KERMANY_TEST_PREVALENCE, SHIFTED_PREVALENCE } from '../shift/cases';

export interface StandIn {
  readonly name: string;
  build(test: ImageSet, positiveClass: number): ImageSet;
}

const shifted = (name: string, shift: ImageShift | ImageShift[]): StandIn => ({
  name,
  build: (test) => shiftImageSet(test, shift),
});
const mix = (prevalence: number): StandIn => ({
  name: `PNEUMONIA ${prevalence}`,
  build: (test, positiveClass) => resampleToPrevalence(test, { positiveClass, prevalence, seed: 1 }),
});

export const STAND_INS: readonly StandIn[] = [
  { name: 'held out', build: (test) => test },
  shifted('gamma 1.5', { kind: 'gamma', gamma: 1.5 }),
  shifted('gamma 0.67', { kind: 'gamma', gamma: 0.67 }),
  shifted('contrast 0.7', { kind: 'contrast', factor: 0.7 }),
  shifted('brightness +0.1', { kind: 'brightness', offset: 0.1 }),
  shifted('blur σ1', { kind: 'blur', sigma: 1 }),
  shifted('noise σ0.03', { kind: 'noise', sigma: 0.03 }),
  shifted('zoom ×1.15', { kind: 'zoom', factor: 1.15 }),
  mix(KERMANY_TEST_PREVALENCE),
  mix(SHIFTED_PREVALENCE),
  {
    name: `gamma 1.5 + PNEUMONIA ${KERMANY_TEST_PREVALENCE}`,
    build: (test, positiveClass) =>
      shiftImageSet(resampleToPrevalence(test, { positiveClass, prevalence: KERMANY_TEST_PREVALENCE, seed: 1 }), {
        kind: 'gamma',
        gamma: 1.5,
      }),
  },
];
