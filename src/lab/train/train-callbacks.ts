/**
 * How a caller follows and steers a training run: progress after each batch and epoch, the checkpoint after each
 * epoch, and the checkpoint to resume from.
 */
import type { TrainCheckpoint } from './checkpoint';
import type { BatchLog, EpochLog } from './train-log';

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
