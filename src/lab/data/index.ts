/**
 * The lab's dataset layer, framework-free and free of Node APIs (usable in a browser, a worker and Node). Node-only
 * loaders (file system, JPEG/PNG decoding) live in `./node/` and are imported from there explicitly. Batching
 * (`./batches`) is left out too, since it pulls in tfjs: importing this index never loads TensorFlow.
 */
export { DataError, isDataError } from './errors';
export { IMAGE_EXTENSIONS, baseName, dirName, extensionOf, folderSkipReason, normalisePath, skipReason } from './file-kinds';
export { detectLayout, SPLIT_NAMES } from './layout';
export type { DetectLayoutOptions, Layout, LayoutEntry, SkippedFile, SplitName } from './layout';
export { countPatients, patientId, patientIds } from './patient-id';
export { patientSplit, stratifiedSubset } from './split';
export type { SplitFractions, SplitItem, SplitResult } from './split';
export { toSquare } from './resize';
export type { Raster, ResizeMode } from './resize';
export { contentKey, DuplicateFinder } from './duplicates';
export { generatePhantomImages } from './phantom';
export type { PhantomOptions } from './phantom';
export { countPerClass, imageBytes, selectImages } from './image-set';
export type { ImageSet } from './image-set';
