export {
  onnxModelFile,
  stockModelToOnnx,
  onnxMetadataProps,
  ONNX_OPSET,
  INPUT_NAME,
  type OnnxMetadataProps,
} from './onnx-file';
export { OnnxExportError } from './layer-nodes';
