/** Step 1: bring in the X-rays, follow the loading, and see what was loaded. */
import { useRef, useState } from 'react';
import { formatBytes } from '../../lab/data/memory';
import type { DatasetEstimate, IngestProgress, Picked } from '../../worker/protocol';
import { isBusy, type LabState } from '../state/lab-state';
import type { Settings } from '../state/settings';
import type { DatasetActions } from '../state/use-dataset';
import { BudgetOffer } from './BudgetOffer';
import { DatasetPicker } from './DatasetPicker';
import { DatasetSummaryView } from './DatasetSummaryView';
import { LabelTableForm, offersLabelForm } from './LabelTableForm';
import { Section } from './Section';

interface Props {
  state: LabState;
  actions: DatasetActions;
  settings: Settings;
  onChange: (patch: Partial<Settings>) => void;
  onError: (message: string) => void;
}

export function DataSection({ state, actions, settings, onChange, onError }: Props) {
  // A folder holding a label table waits for the column form before it loads.
  const [withTable, setWithTable] = useState<Extract<Picked, { kind: 'files' }> | null>(null);
  const chooseFolder = useRef<HTMLButtonElement>(null);
  return (
    <Section
      step={1}
      id="data"
      title="Data"
      intro="Chest X-rays sorted into one folder per class. Images are decoded and shrunk in your browser; nothing is uploaded."
    >
      <DatasetPicker
        disabled={isBusy(state)}
        chooseFolderRef={chooseFolder}
        demoPerClass={settings.demoPerClass}
        onDemoPerClass={(demoPerClass) => onChange({ demoPerClass })}
        limit={settings.limit}
        onLimit={(limit) => onChange({ limit })}
        onDemo={() => void actions.loadDemo()}
        onPick={(picked) => (offersLabelForm(picked) ? setWithTable(picked) : void actions.loadPicked(picked))}
        onError={onError}
      />
      {withTable && (
        <LabelTableForm
          picked={withTable}
          disabled={isBusy(state)}
          onLoad={(labels) => {
            setWithTable(null);
            void actions.loadPicked(withTable, labels);
          }}
          onFolders={() => {
            setWithTable(null);
            void actions.loadPicked(withTable);
          }}
          onCancel={() => setWithTable(null)}
        />
      )}
      <BudgetOffer
        offer={state.budgetOffer}
        disabled={isBusy(state)}
        onSubset={() => void actions.loadSubset()}
        onAll={() => void actions.loadAll()}
        onCancel={actions.dismissOffer}
        returnFocus={chooseFolder}
      />
      {state.loadingData && (
        <LoadingRow progress={state.ingest} estimate={state.loadEstimate} onCancel={actions.cancelLoad} />
      )}
      {state.dataset && !state.dataset.demo && state.dataset.limit !== settings.limit && (
        <p className="note" data-testid="limit-pending">
          Loaded with {state.dataset.limit > 0 ? `a limit of ${state.dataset.limit}` : 'no limit'}; the new limit
          applies when you train (the files are read again) or load the data again.
        </p>
      )}
      {state.dataset && <DatasetSummaryView dataset={state.dataset} />}
    </Section>
  );
}

/**
 * Files found, decoded and skipped, bytes read, what the decoded images will take (the estimate, once listed), and
 * a Cancel that keeps the dataset loaded before.
 */
function LoadingRow({
  progress: p,
  estimate,
  onCancel,
}: {
  progress: IngestProgress | null;
  estimate: DatasetEstimate | null;
  onCancel: () => void;
}) {
  const listing = !p || p.phase === 'listing';
  // While listing, a zip's bytes give the bar; a folder's file count has no known end, so the bar is indeterminate.
  const [value, max] = listing
    ? p?.totalBytes
      ? [p.bytes, p.totalBytes]
      : [undefined, 1]
    : [p.decoded + p.skipped, p.total || 1];
  const bytes = p ? `${formatBytes(p.bytes)}${p.totalBytes ? ` of ${formatBytes(p.totalBytes)}` : ''} read` : '';
  return (
    <div className="loading" data-testid="dataset-loading" data-phase={p?.phase ?? 'listing'}>
      <span>{listing ? 'Listing files…' : 'Decoding images…'}</span>
      <progress max={max} value={value} />
      {p && (
        <span className="muted loading-stats" data-testid="dataset-progress">
          {listing
            ? `${p.found} files found · ${bytes}`
            : `${p.decoded} of ${p.total} decoded · ${p.skipped} skipped · ${bytes}`}
        </span>
      )}
      <button type="button" className="link-button" data-testid="dataset-cancel" onClick={onCancel}>
        Cancel
      </button>
      {estimate && (
        <span className="muted loading-estimate" data-testid="dataset-estimate" data-subset={estimate.chosen?.images}>
          {estimate.chosen ? `Budget ${estimate.chosen.line}` : estimate.line}
        </span>
      )}
    </div>
  );
}
