export * from './train-options';
export * from './train-log';
export * from './trainer';
export * from './class-weights';
export * from './loss';
export * from './validate';
export * from './weights-snapshot';
export * from './batchnorm-recalibration';
