/**
 * What the lab keeps in this browser (results, trained models, checkpoints) and a button to clear it. The figures
 * come from the worker's store and navigator.storage.estimate(); a problem with autosave is shown here too.
 */
import { useCallback, useEffect, useState } from 'react';
import { formatBytes } from '../../lab/report/format';
import type { StorageUsage } from '../../worker/protocol';

interface Props {
  /** Changes whenever what is stored may have changed (a run ended, results were restored). */
  version: string;
  problem: string | null;
  busy: boolean;
  load: () => Promise<StorageUsage>;
  clear: () => Promise<StorageUsage>;
  onError: (message: string) => void;
}


export function StorageSection({ version, problem, busy, load, clear, onError }: Props) {
  const [usage, setUsage] = useState<StorageUsage | null>(null);
  const refresh = useCallback(() => {
    load().then(setUsage, () => setUsage(null));
  }, [load]);
  useEffect(refresh, [version, busy]);

  const onClear = async () => {
    if (!window.confirm('Delete the results, trained models and checkpoints saved in this browser? What the page shows now stays until you reload.')) return;
    try {
      setUsage(await clear());
    } catch (err) {
      onError(`Stored data could not be cleared: ${(err as Error).message}`);
    }
  };

  return (
    <div className="storage" data-testid="storage">
      <span data-testid="storage-usage" data-bytes={usage?.projectBytes ?? ''}>
        {usage == null
          ? 'Saved in this browser: unknown'
          : `Saved in this browser: ${formatBytes(usage.projectBytes)} (results, models, checkpoints)`
            + (usage.quota != null ? ` · site total ${formatBytes(usage.usage ?? 0)} of ${formatBytes(usage.quota)} allowed` : '')
            + (usage.persisted === false ? ' · may be evicted when the disk is full' : '')}
      </span>{' '}
      <button type="button" className="link-button" data-testid="clear-storage" disabled={busy} onClick={() => void onClear()}>
        Clear stored data
      </button>
      {problem && <p className="hint" data-testid="storage-problem">{problem}</p>}
    </div>
  );
}
