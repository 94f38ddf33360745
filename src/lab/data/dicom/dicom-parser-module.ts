import * as namespace from 'dicom-parser';

/**
 * dicom-parser is a UMD build: a bundler exposes its functions as named exports, Node's ES import only as the
 * default export. Both land here as one object.
 */
export const dicomParser = ((namespace as { default?: typeof namespace }).default ?? namespace) as typeof namespace;
export type { DataSet, Element } from 'dicom-parser';
