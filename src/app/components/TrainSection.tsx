/** Step 3: start the queue, follow each model, watch the curves. */
import type { ModelInfo, RunSettings } from '../../worker/protocol';
import type { LabState } from '../state/lab-state';
import { ProgressRow } from './ProgressRow';
import { Section } from './Section';
import { TrainingCharts } from './TrainingCharts';

interface Props {
  state: LabState;
  selected: string[];
  blocker: string | null;
  onTrain: () => void;
  onCancel: (modelId: string | null) => void;
}

/** The run's non-default extras, so "Last run" says everything that shaped the results. */
function extrasOf(s: RunSettings): string {
  const parts = [
    s.augment && 'augmentation on',
    s.limit > 0 && `at most ${s.limit} images`,
    s.headDropout > 0 && `head dropout ${s.headDropout}`,
    s.headLightRank > 0 && `LightDense head k=${s.headLightRank}`,
    s.fineTuneEpochs > 0 && `${s.fineTuneEpochs} fine-tune epochs (InceptionV3)`,
  ].filter(Boolean);
  return parts.length > 0 ? `, ${parts.join(', ')}` : '';
}

export function TrainSection({ state, selected, blocker, onTrain, onCancel }: Props) {
  const label = (id: string) => state.models.find((m: ModelInfo) => m.id === id)?.label ?? id;
  const s = state.runSettings;
  return (
    <Section step={3} id="train" title="Train"
      intro="Models train one after another in a background worker, so the page stays responsive. Each keeps the weights of its best validation epoch.">
      <div className="train-controls">
        <button type="button" className="primary big" data-testid="train-button" disabled={blocker != null || state.running} onClick={onTrain}>
          {state.running ? 'Training…' : `Train ${selected.length === 1 ? '1 model' : `${selected.length} models`}`}
        </button>
        {state.running && (
          <button type="button" data-testid="cancel-button" onClick={() => onCancel(null)}>
            Cancel all
          </button>
        )}
        {blocker && !state.running && <p className="train-blocker" data-testid="train-blocker">{blocker}</p>}
        {s && (
          <p className="run-settings">
            {state.running ? 'Running with' : 'Last run'}: {s.size}×{s.size}×{s.channels}, {s.epochs} {s.epochs === 1 ? 'epoch' : 'epochs'}, batch {s.batchSize},
            learning rate {s.learningRate}, seed {s.seed}, backend {s.backend}{extrasOf(s)}.
          </p>
        )}
      </div>
      {state.ingest && state.running && (
        <p className="note" data-testid="run-decoding">
          Decoding the images again at the run's input size:{' '}
          {state.ingest.phase === 'listing' ? `${state.ingest.found} files listed` : `${state.ingest.decoded + state.ingest.skipped}/${state.ingest.total}`}
          {' '}(Cancel all stops it)
        </p>
      )}
      {state.queue.length > 0 && (
        <ol className="progress-list">
          {state.queue.map((id) => state.runs[id] && (
            <ProgressRow key={id} id={id} label={label(id)} run={state.runs[id]} onCancel={() => onCancel(id)} />
          ))}
        </ol>
      )}
      <TrainingCharts queue={state.queue} runs={state.runs} models={state.models} />
    </Section>
  );
}
