export { decodeDicom, type DecodedDicom, type DicomFacts } from './decode-dicom';
export { isDicom, parseDicom, type DicomHeader } from './read-dicom';
export { TRANSFER_SYNTAXES, transferSyntaxOf, type TransferSyntax } from './transfer-syntax';
export { locateCodecWasm, CODEC_WASM_FILES } from './codecs';
export { ROBUST_TAIL, type VoiUsed } from './display';
