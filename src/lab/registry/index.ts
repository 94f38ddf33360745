export * from './groups';
export * from './registry';
export * from './model-id';
