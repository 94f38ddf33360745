import type { TrainCheckpoint } from './checkpoint';

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

export interface TrainCallbacks {
  /**
   * Validation loss and accuracy of the model before any update (where the validation curve starts); called only
   * when there is a validation set. Inference mode changes no state, so asking for it never changes the run.
   */
  onBaseline?: (baseline: { loss: number; accuracy: number }) => void | Promise<void>;
  onBatchEnd?: (log: BatchLog) => void | Promise<void>;
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  /**
   * After every completed epoch (logged, best chosen, early stopping decided): the state to resume from. Awaited,
   * and the loop holds no reference to it afterwards (its arrays are the callee's).
   */
  onCheckpoint?: (checkpoint: TrainCheckpoint) => void | Promise<void>;
  /**
   * What the checkpoint of `epoch` cost the run: the ms from reading the weights to `onCheckpoint` returning — the
   * time autosave holds up training (the page shows it; the autosave bench measures it).
   */
  onCheckpointCost?: (epoch: number, ms: number) => void;
  /** Continue from this checkpoint (epoch + 1 onwards) instead of starting afresh; see checkpoint.ts. */
  resumeFrom?: TrainCheckpoint | null;
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
