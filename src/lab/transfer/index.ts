/**
 * Pretrained backbones for transfer learning: reading weights (TF.js layers models, Keras .h5), matching them to our
 * InceptionV3 / MobileNetV2 by name or in order, feature extraction once per image, feature and weights caches, and
 * the transfer run itself. Node-only helpers live in `./node/`, the IndexedDB stores in `./idb-stores` (import them
 * explicitly where they can run).
 */
export * from './source-weights';
export * from './read-tfjs-layers';
export * from './read-h5';
export * from './decode-weights';
export * from './match-weights';
export * from './backbones';
export * from './backbone-weights';
export * from './set-fingerprint';
export * from './feature-cache';
export * from './weights-cache';
export * from './fetch-bytes';
export * from './load-weights';
export * from './extract-features';
export * from './split-features';
export * from './compose';
export * from './train-transfer';
export * from './transfer-context';
export * from './backbone-service';
