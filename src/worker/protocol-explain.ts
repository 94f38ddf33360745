/**
 * The Grad-CAM part of the page ↔ worker contract (see protocol.ts), for the lead to add to LabApi: explaining images
 * of the loaded dataset (the error gallery) or dropped images (the Classify panel) with a model loaded by `loadModel`.
 * Heat maps travel as transferable Float32Arrays.
 */
import type { PickedFile } from '../lab/data/browser/picked';
import type { SplitName } from '../lab/data/layout';
import type { HeatMap } from '../lab/explain/heat-map';

export type { HeatMap, PickedFile };

/** Which class to explain: each image's predicted or true class, every class, or one class index for all. */
export type ExplainClassArg = 'predicted' | 'true' | 'all' | number;

/** One image's Grad-CAM as the page gets it. */
export interface ExplainedImage {
  /** Position in the split, or in the dropped files. */
  index: number;
  file: string;
  /** True class in the dataset; -1 for a dropped image. */
  label: number;
  /** Softmax probability of every class; empty when the image could not be read. */
  probabilities: number[];
  predicted: number;
  /** One per explained class, `values` (size × size, [0, 1]) transferred. */
  maps: HeatMap[];
  /** Why a dropped image could not be explained (unreadable file), else null. */
  error: string | null;
  /**
   * The image as the model saw it (size × size RGB, grey repeated), for the page to draw the overlay on; given by
   * explainTestImages and explainFiles (not explainSplit), absent for an unreadable file. Transferred.
   */
  image?: { size: number; rgb: Uint8Array };
}

/** Worker → page while an explanation runs (a LabEvent): images done of total, after each batch. */
export interface ExplainProgressEvent {
  type: 'explain-progress';
  ref: string;
  done: number;
  total: number;
}

/** The worker's Grad-CAM methods (for LabApi). */
export interface ExplainApi {
  /**
   * Images of one split of the loaded dataset (a gallery page: pass the page's indices). Refused when the dataset's
   * image size or channels differ from the model's input.
   */
  explainSplit: {
    args: { ref: string; split: SplitName; indices: number[]; classes?: ExplainClassArg };
    result: ExplainedImage[];
  };
  /**
   * A finished run's test images, named by file (the run's `testImages`, with their labels), found in the loaded
   * dataset: the error gallery. Named rather than indexed, so a re-split cannot swap them; refused with a clear
   * message when the loaded dataset no longer holds them (another dataset was loaded) or holds them at another size.
   */
  explainTestImages: {
    args: { ref: string; files: string[]; labels: number[]; classes?: ExplainClassArg };
    result: ExplainedImage[];
  };
  /** Dropped images, decoded at the model's input size as `classify` decodes them. */
  explainFiles: { args: { ref: string; images: PickedFile[]; classes?: ExplainClassArg }; result: ExplainedImage[] };
  /** Stops the explanation in progress (it rejects with "Grad-CAM cancelled"); nothing else changes. */
  cancelExplain: { args: null; result: null };
}
