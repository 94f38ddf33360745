/**
 * Published results on the official Kermany et al. (2018) test split — 624 images (234 NORMAL, 390 PNEUMONIA) — for
 * read-only reference rows beside the lab's own runs. These are figures from papers, not runs of this lab, and they
 * were measured on that split only: compare them with a lab run only when it scored the same 624 images.
 */

export interface ReferenceResult {
  readonly id: string;
  /** Who published it, where. */
  readonly source: string;
  /** The source in a few words, for a table cell. */
  readonly short: string;
  readonly model: string;
  /** Total parameters, where the source gives the network exactly. */
  readonly params: number | null;
  readonly accuracy: number | null;
  readonly sensitivity: number | null;
  readonly specificity: number | null;
  readonly auc: number | null;
  readonly note?: string;
}

export const REFERENCE_TEST_SET =
  'the official Kermany et al. (2018) test split, 624 images (234 NORMAL, 390 PNEUMONIA)';

// Cited by its public source: a reader of report.md has no copy of the lab's development notes.
const STUDY =
  'The seed study, "X-ray classification, performance comparison of Conv2D, LightConv2D, transfer learning" (github.com/xavierbarbier/x_ray_lightlayers, Keras, one run each)';
const MEDMNIST = 'MedMNIST v2, PneumoniaMNIST (Yang et al., Sci Data 2023); same 624 test images';

export const REFERENCE_RESULTS: readonly ReferenceResult[] = [
  {
    id: 'study-light-k1',
    source: STUDY,
    short: 'seed study',
    model: 'LightLayers k=1',
    params: 2_753,
    accuracy: 0.375,
    sensitivity: null,
    specificity: null,
    auc: null,
    note: 'degenerate: predicts NORMAL for every image',
  },
  {
    id: 'study-light-k2',
    source: STUDY,
    short: 'seed study',
    model: 'LightLayers k=2',
    params: 4_600,
    accuracy: 0.8349,
    sensitivity: null,
    specificity: null,
    auc: null,
  },
  {
    id: 'study-light-k3',
    source: STUDY,
    short: 'seed study',
    model: 'LightLayers k=3',
    params: 6_447,
    accuracy: 0.625,
    sensitivity: null,
    specificity: null,
    auc: null,
    note: 'degenerate: predicts PNEUMONIA for every image',
  },
  {
    id: 'study-light-k4',
    source: STUDY,
    short: 'seed study',
    model: 'LightLayers k=4',
    params: 8_294,
    accuracy: 0.8702,
    sensitivity: null,
    specificity: null,
    auc: null,
  },
  {
    id: 'study-light-k5',
    source: STUDY,
    short: 'seed study',
    model: 'LightLayers k=5',
    params: 10_141,
    accuracy: 0.8061,
    sensitivity: null,
    specificity: null,
    auc: null,
  },
  {
    id: 'study-cnn',
    source: STUDY,
    short: 'seed study',
    model: 'Conv2D CNN',
    params: 31_074,
    accuracy: 0.8606,
    sensitivity: null,
    specificity: null,
    auc: null,
  },
  {
    id: 'study-inception-v3',
    source: STUDY,
    short: 'seed study',
    model: 'InceptionV3 transfer',
    params: 21_806_882,
    accuracy: 0.8013,
    sensitivity: null,
    specificity: null,
    auc: null,
  },
  {
    id: 'kermany-inception-v3',
    source: 'Kermany et al. 2018, Cell 172:1122',
    short: 'Kermany 2018',
    model: 'InceptionV3 transfer (ImageNet, retrained head)',
    params: null,
    accuracy: 0.928,
    sensitivity: 0.932,
    specificity: 0.901,
    auc: 0.968,
  },
  {
    id: 'medmnist-resnet18-28',
    source: MEDMNIST,
    short: 'MedMNIST v2',
    model: 'ResNet-18 (28 px)',
    params: null,
    accuracy: 0.854,
    sensitivity: null,
    specificity: null,
    auc: 0.944,
  },
  {
    id: 'medmnist-resnet18-224',
    source: MEDMNIST,
    short: 'MedMNIST v2',
    model: 'ResNet-18 (224 px)',
    params: null,
    accuracy: 0.864,
    sensitivity: null,
    specificity: null,
    auc: 0.956,
  },
  {
    id: 'medmnist-resnet50-224',
    source: MEDMNIST,
    short: 'MedMNIST v2',
    model: 'ResNet-50 (224 px)',
    params: null,
    accuracy: 0.884,
    sensitivity: null,
    specificity: null,
    auc: 0.962,
  },
  {
    id: 'medmnist-auto-sklearn',
    source: MEDMNIST,
    short: 'MedMNIST v2',
    model: 'auto-sklearn',
    params: null,
    accuracy: 0.855,
    sensitivity: null,
    specificity: null,
    auc: 0.942,
  },
  {
    id: 'medmnist-autokeras',
    source: MEDMNIST,
    short: 'MedMNIST v2',
    model: 'AutoKeras',
    params: null,
    accuracy: 0.878,
    sensitivity: null,
    specificity: null,
    auc: 0.947,
  },
  {
    id: 'medmnist-automl-vision',
    source: MEDMNIST,
    short: 'MedMNIST v2',
    model: 'Google AutoML Vision',
    params: null,
    accuracy: 0.946,
    sensitivity: null,
    specificity: null,
    auc: 0.991,
  },
];
