/**
 * What the lab keeps in this browser (results, trained models, checkpoints) and a button to clear it. The figures
 * come from the worker's store and navigator.storage.estimate(); a problem with autosave is shown here too.
 */
import { useCallback, useEffect, useState } from 'react';
import { megabytes } from '../../lab/persist/dataset-record';
import { formatBytes } from '../../lab/report/format';
import type { StorageUsage } from '../../worker/protocol';

interface Props {
  /** Changes whenever what is stored may have changed (a run ended, results were restored). */
  version: string;
  problem: string | null;
  busy: boolean;
  load: () => Promise<StorageUsage>;
  clear: () => Promise<StorageUsage>;
  /** Sets the budget (bytes) for keeping the decoded dataset. */
  setBudget: (bytes: number) => Promise<StorageUsage>;
  onError: (message: string) => void;
}

export function StorageSection({ version, problem, busy, load, clear, setBudget, onError }: Props) {
  const [usage, setUsage] = useState<StorageUsage | null>(null);
  const refresh = useCallback(() => {
    load().then(setUsage, () => setUsage(null));
  }, [load]);
  useEffect(refresh, [version, busy]);

  const onClear = async () => {
    if (
      !window.confirm(
        'Delete the dataset, results, trained models and checkpoints saved in this browser? What the page shows now stays until you reload.',
      )
    )
      return;
    try {
      setUsage(await clear());
    } catch (err) {
      onError(`Stored data could not be cleared: ${(err as Error).message}`);
    }
  };

  return (
    <div className="storage" data-testid="storage">
      <span
        data-testid="storage-usage"
        data-bytes={usage ? usage.projectBytes + usage.datasetBytes : ''}
        data-dataset-bytes={usage?.datasetBytes ?? ''}
      >
        {usage == null
          ? 'Saved in this browser: unknown'
          : `Saved in this browser: ${formatBytes(usage.projectBytes)} (results, models, checkpoints)` +
            ` · dataset ${megabytes(usage.datasetBytes)} of a ${megabytes(usage.datasetBudget)} budget` +
            (usage.quota != null
              ? ` · site total ${formatBytes(usage.usage ?? 0)} of ${formatBytes(usage.quota)} allowed`
              : '') +
            (usage.persisted === false ? ' · may be evicted when the disk is full' : '')}
      </span>{' '}
      <button
        type="button"
        className="link-button"
        data-testid="clear-storage"
        disabled={busy}
        onClick={() => void onClear()}
      >
        Clear stored data
      </button>
      <DatasetBudget
        budget={usage?.datasetBudget ?? null}
        onChange={async (bytes) => {
          try {
            setUsage(await setBudget(bytes));
          } catch (err) {
            onError(`The dataset budget could not be set: ${(err as Error).message}`);
          }
        }}
      />
      {usage?.datasetNote && (
        <p className="hint" data-testid="storage-dataset-note">
          {usage.datasetNote}
        </p>
      )}
      {problem && (
        <p className="hint" data-testid="storage-problem">
          {problem}
        </p>
      )}
    </div>
  );
}

/** The budget for the stored dataset, in MB (0: never store it); applied on Enter or when the field is left. */
function DatasetBudget({ budget, onChange }: { budget: number | null; onChange: (bytes: number) => void }) {
  const [text, setText] = useState('');
  useEffect(() => {
    // To the kB: a budget under 1 MB shown rounded to 0 would be set to 0 (no budget) when the field is left.
    if (budget != null) setText(String(Math.round(budget / 1e3) / 1e3));
  }, [budget]);
  const apply = () => {
    const bytes = Math.round(Number(text) * 1e6);
    if (text.trim() !== '' && Number.isFinite(bytes) && bytes >= 0 && budget != null && bytes !== budget)
      onChange(bytes);
  };
  return (
    <label className="hint">
      {' '}
      Keep the decoded dataset up to{' '}
      <input
        type="number"
        min={0}
        step={50}
        style={{ width: '6em' }}
        data-testid="storage-budget"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => e.key === 'Enter' && apply()}
      />{' '}
      MB (within the browser's free quota; over it, only the data's fingerprint is kept)
    </label>
  );
}
