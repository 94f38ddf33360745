/** What the training loop reports: after every batch, after every epoch, and at the end of a run. */

/** Reported after every batch. */
export interface BatchLog {
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  accuracy: number;
  /** Training images per second so far in this epoch. */
  imagesPerSec: number;
}

/** Reported after every epoch (1-based epoch numbers). */
export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  /** null when there is no validation set. */
  valLoss: number | null;
  valAccuracy: number | null;
  imagesPerSec: number;
  /** Wall time of the epoch, validation included. */
  ms: number;
}

/** What a run did. */
export interface TrainSummary {
  history: EpochLog[];
  epochsPlanned: number;
  epochsRun: number;
  /** Epoch whose weights the model holds at the end (the best validation loss when restoring), or null. */
  bestEpoch: number | null;
  stoppedEarly: boolean;
  cancelled: boolean;
  trainTimeMs: number;
  msPerEpoch: number;
  imagesPerSec: number;
}
