export * from './schema';
export * from './validate';
export * from './run-config';
export * from './run-model';
