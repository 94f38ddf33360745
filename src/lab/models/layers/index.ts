// Importing this module registers the custom layers with tfjs' serialization registry, so saved models reload.
export { LightConv2D, type LightConv2DArgs } from './light-conv2d';
export { LightDense, type LightDenseArgs } from './light-dense';
