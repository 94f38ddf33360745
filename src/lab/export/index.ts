export * from './export-metadata';
export * from './standard-formats';
export * from './stock';
export * from './keras-h5';
// The PyTorch export (src/lab/export/pytorch) carries its Python sources as strings: import it where it is used.
