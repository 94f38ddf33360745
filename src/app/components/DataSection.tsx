/** Step 1: bring in the X-rays and see what was loaded. */
import type { LabState } from '../state/lab-state';
import type { LabActions } from '../state/use-lab';
import { DatasetPicker } from './DatasetPicker';
import { DatasetSummaryView } from './DatasetSummaryView';
import { Section } from './Section';

interface Props {
  state: LabState;
  actions: LabActions;
  demoPerClass: number;
  onDemoPerClass: (n: number) => void;
}

export function DataSection({ state, actions, demoPerClass, onDemoPerClass }: Props) {
  const ingest = state.ingest;
  return (
    <Section step={1} id="data" title="Data"
      intro="Chest X-rays sorted into one folder per class. Images are decoded and shrunk in your browser; nothing is uploaded.">
      <DatasetPicker
        disabled={state.running || state.loadingData}
        demoPerClass={demoPerClass}
        onDemoPerClass={onDemoPerClass}
        onDemo={() => void actions.loadDemo()}
        onFolder={(name, files) => void actions.loadFolder(name, files)}
        onZip={(zip) => void actions.loadZip(zip)}
        onError={(m) => actions.showError(m)}
      />
      {state.loadingData && (
        <div className="loading" data-testid="dataset-loading">
          <span>{ingest?.phase === 'reading' ? 'Unpacking the archive…' : 'Decoding images…'}</span>
          <progress max={ingest?.total || 1} value={ingest?.done ?? 0} />
          {ingest && ingest.phase === 'decoding' && <span className="muted">{ingest.done} / {ingest.total}</span>}
        </div>
      )}
      {state.dataset && <DatasetSummaryView summary={state.dataset} />}
    </Section>
  );
}
