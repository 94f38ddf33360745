export * from './groups';
export * from './registry';
