/** Step 3: start the queue, follow each model (all its seeds), watch the curves. */
import { useState } from 'react';
import { runKeyId } from '../../lab/experiment/run-control';
import type { Experiment, ModelInfo } from '../../worker/protocol';
import type { LabState } from '../state/lab-state';
import { ProgressRow } from './ProgressRow';
import { Section } from './Section';
import { TrainingCharts } from './TrainingCharts';
import { trainAnnouncement } from '../lib/train-announcement';

interface Props {
  state: LabState;
  selected: string[];
  /** Runs per model: the number of seeds. */
  seeds: number;
  blocker: string | null;
  onTrain: () => void;
  onCancel: (modelId: string | null) => void;
}

/** The run's non-default extras, so "Last run" says everything that shaped the results. */
function extrasOf(s: Experiment): string {
  const parts = [
    s.augment && 'augmentation on',
    s.limit > 0 && `at most ${s.limit} images`,
    s.classWeights === 'balanced' && 'balanced class weights',
    s.patience > 0 && `early stopping after ${s.patience} epochs`,
    s.headDropout > 0 && `head dropout ${s.headDropout}`,
    s.headRank > 0 && `LightDense head k=${s.headRank}`,
    s.fineTune > 0 && `${s.fineTune} fine-tune epochs (InceptionV3)`,
    s.adaptBn && 'BatchNorm adapted to the test images (figures before and after)',
  ].filter(Boolean);
  return parts.length > 0 ? `, ${parts.join(', ')}` : '';
}

export function TrainSection({ state, selected, seeds, blocker, onTrain, onCancel }: Props) {
  // Set once a queue starts in this page; results opened from a file or restored from storage were not trained here.
  const [trainedHere, setTrainedHere] = useState(false);
  if (state.running && !trainedHere) setTrainedHere(true);
  const label = (id: string) => state.models.find((m: ModelInfo) => m.id === id)?.label ?? id;
  const s = state.context?.origin.kind === 'trained' ? state.context.experiment : null;
  const models = [...new Set(state.queue.map((k) => k.modelId))];
  const runsOf = (id: string) =>
    state.queue
      .filter((k) => k.modelId === id)
      .map((k) => state.runs[runKeyId(k)])
      .filter(Boolean);
  const count = selected.length * seeds;
  return (
    <Section
      step={3}
      id="train"
      title="Train"
      intro="Models train one after another in a background worker, so the page stays responsive. Each keeps the weights of its best validation epoch."
    >
      <div className="train-controls">
        <button
          type="button"
          className="primary big"
          data-testid="train-button"
          disabled={blocker != null || state.running}
          onClick={onTrain}
        >
          {state.running
            ? 'Training…'
            : `Train ${selected.length === 1 ? '1 model' : `${selected.length} models`}${seeds > 1 ? ` × ${seeds} seeds (${count} runs)` : ''}`}
        </button>
        {state.running && (
          <button type="button" data-testid="cancel-button" onClick={() => onCancel(null)}>
            Cancel all
          </button>
        )}
        {blocker && !state.running && (
          <p className="train-blocker" data-testid="train-blocker">
            {blocker}
          </p>
        )}
        {s && (
          <p className="run-settings">
            {state.running ? 'Running with' : 'Last run'}: {s.size}×{s.size}×{s.channels}, {s.epochs}{' '}
            {s.epochs === 1 ? 'epoch' : 'epochs'}, batch {s.batchSize}, learning rate {s.learningRate},{' '}
            {s.seeds.length === 1 ? `seed ${s.seeds[0]}` : `seeds ${s.seeds.join(', ')}`}, backend {s.backend}
            {extrasOf(s)}.
          </p>
        )}
      </div>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="train-announcer">
        {trainAnnouncement(state.queue, state.runs, state.running, label, trainedHere)}
      </p>
      {state.ingest && state.running && (
        <p className="note" data-testid="run-decoding">
          Decoding the images again at the run's input size:{' '}
          {state.ingest.phase === 'listing'
            ? `${state.ingest.found} files listed`
            : `${state.ingest.decoded + state.ingest.skipped}/${state.ingest.total}`}{' '}
          (Cancel all stops it)
        </p>
      )}
      {models.length > 0 && (
        <ol className="progress-list">
          {models.map((id) => {
            const runs = runsOf(id);
            return (
              runs.length > 0 && (
                <ProgressRow key={id} id={id} label={label(id)} runs={runs} onCancel={() => onCancel(id)} />
              )
            );
          })}
        </ol>
      )}
      <TrainingCharts queue={state.queue} runs={state.runs} models={state.models} />
    </Section>
  );
}
