export { toStockModel, NotStockError, type StockModel, type StockLayer, type StockWeight } from './stock-model';
export { stockModelFiles, stockModelToFiles, type StockMetadata } from './stock-files';
export { STOCK_LAYER_CLASSES } from './keras-json';
