/**
 * How the page groups the registry: one heading and one explanation per kind of network. Plain data (no tfjs), so
 * the worker can send it with the model list.
 */
export type ModelGroupId = 'cnn' | 'lightlayers' | 'transfer';

export interface ModelGroup {
  readonly id: ModelGroupId;
  readonly title: string;
  readonly note: string;
}

/** In the order the page shows them. */
export const MODEL_GROUPS: readonly ModelGroup[] = [
  {
    id: 'cnn',
    title: 'Plain convolutions',
    note: "Every 3×3 convolution learns a full kernel for each pair of input and output channels: the study's baseline, and the most parameters per layer.",
  },
  {
    id: 'lightlayers',
    title: 'LightLayers — k is the rank',
    note: 'LightConv2D writes each kernel as a product of two thin matrices that meet in k columns. Small k: far fewer weights, less capacity. Sweeping k = 1 … 5 shows what accuracy each saved parameter costs.',
  },
  {
    id: 'transfer',
    title: 'Transfer learning',
    note: 'A network trained on ImageNet supplies fixed features and only a small Dense head learns. Load its ImageNet weights below; the backbone then runs once per image, its features are cached, and the head trains in seconds.',
  },
];
