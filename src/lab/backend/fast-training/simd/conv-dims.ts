/** The sizes every generated convolution kernel is specialised for (NHWC, dilation 1, explicit zero padding). */
export interface ConvDims {
  /** Images per call. */
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fh: number;
  fw: number;
  /** Zeros before the first row / column (those after follow from the output size). */
  padTop: number;
  padLeft: number;
}
