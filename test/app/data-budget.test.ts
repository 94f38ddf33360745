/**
 * The Data step's budget check before decoding, without React: the dataset actions over the real client and a fake
 * worker, the lab reducer applying what they dispatch. A pick is estimated first; within the budget it loads at once
 * with the same arguments, over it the offer waits (the dataset loaded before stays) and loads the estimate's
 * subset, every image where allowed, or nothing. The estimates are the core's own (estimateDecode), not stand-ins.
 */
import { describe, expect, it } from 'vitest';
import { LabClient } from '../../src/app/lab-client';
import { INITIAL_STATE, labReducer, type LabAction, type LabState } from '../../src/app/state/lab-state';
import type { LabStore } from '../../src/app/state/lab-store';
import { DEFAULT_SETTINGS, type Settings } from '../../src/app/state/settings';
import { datasetActions } from '../../src/app/state/use-dataset';
import { estimateDecode } from '../../src/lab/data/decode-estimate';
import { storeBytes } from '../../src/lab/data/memory';
import type { CallMessage, DatasetEstimate, DatasetInfo, Picked } from '../../src/worker/protocol';
import { FakeWorker, settle } from './fake-worker';

const dataset = (fingerprint: string, subset?: number) => ({ identity: { fingerprint }, subset }) as DatasetInfo;
const picked: Picked = { kind: 'files', name: 'chest_xray', files: [] };

/** 40 images of 2 classes, 2 per patient, at 32×32×1 (1,024 bytes each), against a budget of `budgetBytes`. */
function estimateOf(budgetBytes: number, memoryLimitBytes = 1e9): DatasetEstimate {
  const entries = Array.from({ length: 40 }, (_, i) => ({
    path: `${i % 2 ? 'PNEUMONIA' : 'NORMAL'}/person${Math.floor(i / 4)}_${i % 4 < 2 ? 'a' : 'b'}_${i}.jpeg`,
    label: i % 2,
  }));
  const core = estimateDecode({
    entries,
    classNames: ['NORMAL', 'PNEUMONIA'],
    size: 32,
    channels: 1,
    budget: { bytes: budgetBytes, name: 'dataset budget' },
    seed: 1,
  });
  return {
    ...core,
    memoryLimitBytes,
    loadAllAllowed: core.decodedBytes <= memoryLimitBytes,
    chosen: null,
  };
}

/** A store as useLabStore makes it, over a fake worker. */
function storeOver(settings: Settings = DEFAULT_SETTINGS, initial: LabState = INITIAL_STATE) {
  const worker = new FakeWorker();
  let state = initial;
  const dispatched: LabAction[] = [];
  const store: LabStore = {
    client: new LabClient(worker),
    dispatch: (action) => {
      dispatched.push(action);
      state = labReducer(state, action);
    },
    state: () => state,
    settings: () => settings,
  };
  return { worker, store, dispatched, state: () => state };
}

const before = { ...INITIAL_STATE, dataset: dataset('before') };

describe('the data budget before decoding', () => {
  it('loads a pick that fits at once, with the arguments it was estimated with', async () => {
    const settings = { ...DEFAULT_SETTINGS, size: 32, channels: 1 as const, limit: 30, seeds: [4] };
    const { worker, store, state } = storeOver(settings, before);
    const fits = estimateOf(storeBytes(40, 32, 1));
    expect(fits.fits).toBe(true);
    worker.respond = (call: CallMessage) => (call.method === 'estimatePicked' ? fits : dataset('new'));
    await datasetActions(store).loadPicked(picked);
    expect(worker.posted.map((p) => p.message.method)).toEqual(['estimatePicked', 'loadPicked']);
    const [estimate] = worker.calls('estimatePicked');
    const [load] = worker.calls('loadPicked');
    expect(estimate.args).toMatchObject({ size: 32, channels: 1, limit: 30, seed: 4, labels: null });
    expect(estimate.args.picked).toEqual(picked);
    expect(load.args).toEqual(estimate.args);
    expect(load.args.subset).toBeUndefined();
    expect(state()).toMatchObject({ loadingData: false, budgetOffer: null, error: null });
    expect(state().dataset?.identity.fingerprint).toBe('new');
  });

  it('over the budget, decodes nothing and offers the subset; the dataset loaded before stays until one is chosen', async () => {
    const { worker, store, state } = storeOver(DEFAULT_SETTINGS, before);
    const over = estimateOf(storeBytes(20, 32, 1));
    expect(over.fits).toBe(false);
    expect(over.subset).not.toBeNull();
    worker.respond = () => over;
    const actions = datasetActions(store);
    const loading = actions.loadPicked(picked);
    expect(state().loadingData).toBe(true);
    await loading;
    expect(worker.calls('loadPicked')).toHaveLength(0);
    expect(state().loadingData).toBe(false);
    expect(state().dataset?.identity.fingerprint).toBe('before');
    expect(state().budgetOffer?.estimate).toBe(over);
    expect(state().budgetOffer?.load).toEqual(worker.calls('estimatePicked')[0].args);

    worker.respond = (call: CallMessage) =>
      call.method === 'loadPicked' ? dataset('subset', call.args.subset) : undefined;
    await actions.loadSubset();
    const [load] = worker.calls('loadPicked');
    expect(load.args).toEqual({ ...worker.calls('estimatePicked')[0].args, subset: over.subset!.request });
    expect(state().budgetOffer).toBeNull();
    expect(state().dataset).toMatchObject({ identity: { fingerprint: 'subset' }, subset: over.subset!.request });
  });

  it('loads the offer with the settings it was estimated at, not ones changed since', async () => {
    let settings = { ...DEFAULT_SETTINGS, size: 32 };
    const { worker, store } = storeOver(DEFAULT_SETTINGS, before);
    store.settings = () => settings;
    worker.respond = () => estimateOf(storeBytes(20, 32, 1));
    const actions = datasetActions(store);
    await actions.loadPicked(picked);
    settings = { ...settings, size: 224 };
    worker.respond = () => dataset('subset');
    await actions.loadSubset();
    expect(worker.calls('loadPicked')[0].args.size).toBe(32);
  });

  it('offers every image only where the tab may hold it', async () => {
    const { worker, store, state } = storeOver(DEFAULT_SETTINGS, before);
    const actions = datasetActions(store);
    // Over the budget and over the memory limit: "load all" does nothing.
    worker.respond = () => estimateOf(storeBytes(20, 32, 1), storeBytes(30, 32, 1));
    await actions.loadPicked(picked);
    expect(state().budgetOffer?.estimate.loadAllAllowed).toBe(false);
    await actions.loadAll();
    expect(worker.calls('loadPicked')).toHaveLength(0);
    expect(state().budgetOffer).not.toBeNull();
    // Over the budget, within the memory limit: every image, no subset.
    worker.respond = () => estimateOf(storeBytes(20, 32, 1), storeBytes(40, 32, 1));
    await actions.loadPicked(picked);
    expect(state().budgetOffer?.estimate.loadAllAllowed).toBe(true);
    worker.respond = () => dataset('all');
    await actions.loadAll();
    expect(worker.calls('loadPicked')).toHaveLength(1);
    expect(worker.calls('loadPicked')[0].args.subset).toBeUndefined();
    expect(state().dataset?.identity.fingerprint).toBe('all');
  });

  it('Cancel closes the offer and keeps the dataset loaded before; a new load replaces an offer', async () => {
    const { worker, store, state } = storeOver(DEFAULT_SETTINGS, before);
    const actions = datasetActions(store);
    worker.respond = () => estimateOf(storeBytes(20, 32, 1));
    await actions.loadPicked(picked);
    actions.dismissOffer();
    expect(state().budgetOffer).toBeNull();
    expect(state().dataset?.identity.fingerprint).toBe('before');
    await actions.loadSubset(); // nothing offered any more
    expect(worker.calls('loadPicked')).toHaveLength(0);

    await actions.loadPicked(picked);
    expect(state().budgetOffer).not.toBeNull();
    worker.respond = () => dataset('demo');
    const demo = actions.loadDemo();
    expect(state().budgetOffer).toBeNull();
    await demo;
    expect(state().dataset?.identity.fingerprint).toBe('demo');
  });

  it('a Cancel pressed while listing, or just as the estimate comes back, loads nothing', async () => {
    const { worker, store, state } = storeOver(DEFAULT_SETTINGS, before);
    const actions = datasetActions(store);
    // While listing: the worker answers the estimate with null.
    const listing = actions.loadPicked(picked);
    await settle();
    const [first] = worker.calls('estimatePicked');
    actions.cancelLoad();
    worker.reply(first.id, null);
    await listing;
    // Just after the listing: the estimate arrives (it fits), but Cancel came first.
    const late = actions.loadPicked(picked);
    await settle();
    actions.cancelLoad();
    worker.reply(worker.calls('estimatePicked')[1].id, estimateOf(1e9));
    await late;
    expect(worker.calls('cancelLoad')).toHaveLength(2);
    expect(worker.calls('loadPicked')).toHaveLength(0);
    expect(state()).toMatchObject({ loadingData: false, budgetOffer: null, error: null });
    expect(state().dataset?.identity.fingerprint).toBe('before');
  });

  it('a listing that fails shows why and offers nothing', async () => {
    const { worker, store, state } = storeOver(DEFAULT_SETTINGS, before);
    worker.respond = () => {
      throw new Error('loose-xrays: Expected one folder per class');
    };
    await datasetActions(store).loadPicked(picked);
    expect(state()).toMatchObject({ loadingData: false, budgetOffer: null });
    expect(state().error).toMatch(/^loose-xrays: Expected one folder per class/);
    expect(state().dataset?.identity.fingerprint).toBe('before');
  });
});

describe('the lab state and the estimate event', () => {
  const event = (estimate: DatasetEstimate): LabAction => ({
    type: 'event',
    event: { type: 'dataset-estimate', estimate },
  });

  it('keeps the estimate of the load under way for the loading row, and drops it when the load ends', () => {
    const estimate = { ...estimateOf(1e9), chosen: { images: 12, decodedBytes: 12_288, line: 'subset 12 …' } };
    const loading = labReducer(INITIAL_STATE, { type: 'loading-data', loading: true });
    const told = labReducer(loading, event(estimate));
    expect(told.loadEstimate).toBe(estimate);
    expect(labReducer(told, { type: 'dataset', dataset: dataset('d') }).loadEstimate).toBeNull();
    expect(labReducer(told, { type: 'loading-data', loading: false }).loadEstimate).toBeNull();
    // An estimate with no load under way (a late message) changes nothing.
    expect(labReducer(INITIAL_STATE, event(estimate))).toBe(INITIAL_STATE);
  });

  it('an offer ends the loading; a re-split of the dataset loaded before leaves it waiting', () => {
    const offer = { estimate: estimateOf(1), load: { picked } as never };
    const loading = labReducer(
      { ...before, ingest: { phase: 'listing' } as LabState['ingest'] },
      { type: 'loading-data', loading: true },
    );
    const offered = labReducer(loading, { type: 'budget-offer', offer });
    expect(offered).toMatchObject({ loadingData: false, ingest: null, budgetOffer: offer });
    const resplit = labReducer(offered, { type: 'dataset', dataset: dataset('before-resplit') });
    expect(resplit.budgetOffer).toBe(offer);
  });
});
