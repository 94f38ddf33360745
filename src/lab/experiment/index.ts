export * from './experiment-settings';
export * from './run-model';
