/**
 * Explaining predictions: Grad-CAM heat maps for every model of the lab (plain CNN, LightLayers, transfer), the
 * numbers read from them (peak, heat inside a mask) and overlays. Framework-free: runs in the page, a worker and Node.
 */
export { findGradCamTarget, NoConvolutionError, type GradCamTarget } from './target-layer';
export { createGradCam, ExplainInputError, type CamBatch, type ClassChoice, type GradCam } from './grad-cam';
export { heatInside, maskShare, peakOf, toHeatMap, upsampleBilinear, type HeatMap } from './heat-map';
export {
  explainImages,
  ExplainCancelledError,
  type ExplainClass,
  type ExplainOptions,
  type ImageExplanation,
} from './explain-set';
export { explainableModel, type ExplainableModel, type ExplainableModelOptions } from './explainable-model';
export { heatColour, overlayRgba } from './overlay';
export { mapGeometry, stretchGeometry, type AxisMap, type MapGeometry } from './map-geometry';
