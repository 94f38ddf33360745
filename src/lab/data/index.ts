/**
 * The lab's dataset layer, framework-free and free of Node APIs (usable in a browser, a worker and Node). Node-only
 * loaders (file system, JPEG/PNG decoding) live in `./node/`, browser sources and decoders in `./browser/`; both are
 * imported from there explicitly. Batching (`./batches`) is left out too, since it pulls in tfjs: importing this
 * index never loads TensorFlow.
 */
export { DataError, isDataError } from './errors';
export {
  IMAGE_EXTENSIONS,
  baseName,
  dirName,
  extensionOf,
  folderSkipReason,
  normalisePath,
  skipReason,
} from './file-kinds';
export { detectLayout, NESTED_COPY_REASON, SPLIT_NAMES } from './layout';
export type { DetectLayoutOptions, Layout, LayoutEntry, SkippedFile, SplitName } from './layout';
export { countPatients, patientId } from './patient-id';
export { patientSplit, stratifiedSubset } from './split';
export type { SplitFractions, SplitItem, SplitResult } from './split';
export { toSquare } from './resize';
export type { Raster, ResizeMode } from './resize';
export { contentKey, DuplicateFinder } from './duplicates';
export { generatePhantomImages } from './phantom';
export type { PhantomOptions } from './phantom';
export { countPerClass, imageBytes, selectImages } from './image-set';
export type { ImageSet } from './image-set';
export { fileListSource } from './source';
export type { DataSource, ListProgress, ReadableFile, SourceEntry } from './source';
export { zipSource } from './zip-source';
export type { ChunkStream } from './zip-source';
export { readImageHeader, sniffFormat } from './image-header';
export type { ImageFormat, ImageHeader } from './image-header';
export type { DecodedSquare, ImageDecoder, StoreFormat } from './decoder';
export { checkMemory, formatBytes, storeBytes, suggestSize } from './memory';
export { assignSplits, DEFAULT_SPLIT_SETTINGS } from './assign-splits';
export type { SplitOrigin, SplitPlan, SplitSettings } from './assign-splits';
export { arrangeBySplit } from './arrange';
export type { ArrangedSets } from './arrange';
export { scanSource } from './scan';
export type { IngestProgress, ScannedSource, ScanOptions } from './scan';
export { ingest } from './pipeline';
export type { IngestOptions, IngestResult } from './pipeline';
export { positiveClassIndex, summarise } from './summary';
export type { DatasetSummary, SkipGroup, SplitCounts } from './summary';
export { formatSummary } from './summary-text';
export { augmentImage, NO_AUGMENTATION, STANDARD_AUGMENTATION } from './augment';
export type { AugmentOptions } from './augment';
export { identifyGenerated, identifyLayout, splitManifest } from './data-identity';
export type { DataIdentity, SplitManifest } from './data-identity';
export { mergeTables, parseTable } from './table/read-table';
export type { ParsedTable, TableDelimiter } from './table/read-table';
export { classOfCell, parseClassMap } from './table/mapping';
export type { TableMapping } from './table/mapping';
export { NOT_IN_TABLE_REASON, parseSplitList, tableLayout } from './table/table-layout';
export type { LabelTableSpec, SplitList } from './table/table-layout';
export type { TableIdentity, TableReport } from './table/table-report';
