/**
 * Step 1's data: load the demo set or picked files (the worker decodes them), cancel a load, and keep the split in
 * step with the fractions and seed while the lab is idle.
 */
import { useEffect, useMemo } from 'react';
import { splitOf } from '../../lab/experiment/schema';
import type { PickedLabels } from '../../lab/data/table/picked-labels';
import type { DatasetInfo, Picked } from '../../worker/protocol';
import { isBusy, messageOf, showError, type LabStore } from './lab-store';
import type { Settings } from './settings';

export interface DatasetActions {
  loadDemo(): Promise<void>;
  /**
   * Loads a picked or dropped folder, files or zip (with `labels`, its classes from a label table among the files);
   * a failure leaves the loaded dataset as it was.
   */
  loadPicked(picked: Picked, labels?: PickedLabels | null): Promise<void>;
  /** Stops the dataset load in progress; the previous dataset stays. */
  cancelLoad(): void;
}

/** The core's "too large for memory" names what fits; say where the page's image limit is. */
export function withLimitAdvice(text: string): string {
  return /too large for memory/.test(text)
    ? `${text}\nTo load a subset, set "Load at most … images" in step 1 (seeded, same share of each class), then load it again.`
    : text;
}

export function datasetActions(store: LabStore): DatasetActions {
  const { client, dispatch } = store;
  /** Runs one load; `start` resolves to null when it was cancelled (the worker kept the dataset loaded before). */
  const load = async (start: () => Promise<DatasetInfo | null>) => {
    showError(store, null);
    dispatch({ type: 'loading-data', loading: true });
    try {
      const dataset = await start();
      if (dataset) dispatch({ type: 'dataset', dataset });
      else dispatch({ type: 'loading-data', loading: false });
    } catch (err) {
      dispatch({ type: 'loading-data', loading: false });
      showError(store, withLimitAdvice(messageOf(err)));
    }
  };
  /** The images' format and split, from the settings at the moment of loading. */
  const format = () => {
    const s = store.settings();
    return { size: s.size, channels: s.channels, ...splitOf(s) };
  };
  return {
    loadDemo: () => load(() => client.call('loadDemo', { ...format(), perClass: store.settings().demoPerClass })),
    loadPicked: (picked, labels) =>
      load(() =>
        client.call('loadPicked', { ...format(), limit: store.settings().limit, picked, labels: labels ?? null }),
      ),
    cancelLoad: () => {
      client.call('cancelLoad', null).catch((err) => showError(store, messageOf(err)));
    },
  };
}

/** How long the fractions and seed must stay put before the data is dealt again. */
const SETTLE_MS = 250;

export function useDataset(store: LabStore, settings: Settings, hasData: boolean): DatasetActions {
  // The split follows the fractions and seed; the worker re-deals it (cheap) while idle.
  const { valFraction, testFraction, keepOfficialVal } = settings;
  const seed = settings.seeds[0];
  useEffect(() => {
    if (!hasData || isBusy(store.state())) return;
    const split = splitOf({ valFraction, testFraction, keepOfficialVal, seeds: [seed] });
    const timer = setTimeout(() => {
      store.client.call('splitDataset', split).then(
        (dataset) => store.dispatch({ type: 'dataset', dataset }),
        () => undefined,
      );
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [store, hasData, valFraction, testFraction, seed, keepOfficialVal]);
  return useMemo(() => datasetActions(store), [store]);
}
