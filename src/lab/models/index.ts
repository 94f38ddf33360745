export * from './layers';
export * from './build-options';
export * from './input-size';
export * from './conv2d-baseline';
export * from './lightlayers-net';
export * from './transfer-head';
export * from './model-size';
export * from './mobilenet-v2';
