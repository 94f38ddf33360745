export { kerasH5File, stockModelToKerasH5 } from './keras-h5-file';
