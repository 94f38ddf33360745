/**
 * Step 1's data: load the demo set or picked files (the worker decodes them), cancel a load, and keep the split in
 * step with the fractions and seed while the lab is idle. Picked files are estimated first (listed, not decoded):
 * within the data budget they load at once; over it the page offers the budget subset (or, where the tab's memory
 * allows, every image) and keeps the dataset loaded before until the user chooses.
 */
import { useEffect, useMemo } from 'react';
import { splitOf } from '../../lab/experiment/schema';
import type { PickedLabels } from '../../lab/data/table/picked-labels';
import type { DatasetInfo, Picked } from '../../worker/protocol';
import { isBusy, type PickedLoad } from './lab-state';
import { messageOf, showError, type LabStore } from './lab-store';
import type { Settings } from './settings';

export interface DatasetActions {
  loadDemo(): Promise<void>;
  /**
   * Loads a picked or dropped folder, files or zip (with `labels`, its classes from a label table among the files);
   * a failure leaves the loaded dataset as it was.
   */
  loadPicked(picked: Picked, labels?: PickedLabels | null): Promise<void>;
  /** The budget offer's subset: the same files, format and split as estimated, only the subset decoded. */
  loadSubset(): Promise<void>;
  /** Every image of the offer's files, where the tab's memory allows it (it is then not kept in this browser). */
  loadAll(): Promise<void>;
  /** Closes the budget offer, loading nothing; the dataset loaded before stays. */
  dismissOffer(): void;
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
  /** Cancel was pressed during this load (between the estimate and the decoding the worker has nothing to stop). */
  let cancelled = false;
  /**
   * Runs one load; `start` resolves to null when it was cancelled (the worker kept the dataset loaded before) or
   * ended in a budget offer.
   */
  const load = async (start: () => Promise<DatasetInfo | null>) => {
    cancelled = false;
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
  /** Lists the files and estimates them; within the budget they load at once, over it the offer waits. */
  const estimateThenLoad = async (request: PickedLoad): Promise<DatasetInfo | null> => {
    const estimate = await client.call('estimatePicked', request);
    if (!estimate || cancelled) return null;
    if (estimate.fits) return client.call('loadPicked', request);
    dispatch({ type: 'budget-offer', offer: { estimate, load: request } });
    return null;
  };
  const offer = () => store.state().budgetOffer;
  return {
    loadDemo: () => load(() => client.call('loadDemo', { ...format(), perClass: store.settings().demoPerClass })),
    loadPicked: (picked, labels) =>
      load(() => estimateThenLoad({ ...format(), limit: store.settings().limit, picked, labels: labels ?? null })),
    loadSubset: async () => {
      const o = offer();
      const subset = o?.estimate.subset;
      if (!o || !subset) return;
      await load(() => client.call('loadPicked', { ...o.load, subset: subset.request }));
    },
    loadAll: async () => {
      const o = offer();
      if (!o?.estimate.loadAllAllowed) return;
      await load(() => client.call('loadPicked', o.load));
    },
    dismissOffer: () => dispatch({ type: 'budget-offer', offer: null }),
    cancelLoad: () => {
      cancelled = true;
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
