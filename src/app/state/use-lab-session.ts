/**
 * The worker's lifecycle as the page sees it: start it once with the chosen backend, apply its events to the state,
 * say so when it crashes, and switch backends when the user picks another while the lab is idle.
 */
import { useEffect, useRef } from 'react';
import { runKeyId } from '../../lab/experiment/run-control';
import type { BackendPreference, LabResult } from '../../worker/protocol';
import { installTestHooks } from '../lib/test-hooks';
import { storeModelFiles } from './artefacts';
import { isBusy } from './lab-state';
import { messageOf, showError, type LabStore } from './lab-store';

/** One init per page, however often React mounts the hook. */
let initOnce: Promise<LabResult<'init'>> | null = null;

/** Starts the worker and follows its events and crashes, for as long as the page is mounted. */
export function useLabSession(store: LabStore): void {
  useEffect(() => {
    const { client, dispatch } = store;
    const offEvents = client.on((event) => {
      // Model files stay outside React state (artefacts.ts): large, never rendered, and kept past a crash.
      if (event.type === 'model-result' && event.files) storeModelFiles(runKeyId(event.result), event.files);
      dispatch({ type: 'event', event });
    });
    const offCrash = client.onCrash((err) => {
      dispatch({ type: 'run-end' });
      dispatch({ type: 'loading-data', loading: false });
      showError(store, err.message);
    });
    installTestHooks(client);
    initOnce ??= client.call('init', { backend: store.settings().backend });
    initOnce
      .then((r) => {
        dispatch({ type: 'ready', backend: r.backend, models: r.models, groups: r.groups });
        if (r.backendError) showError(store, `${r.backendError}. Choose another backend in Settings.`);
      })
      .catch((err) => showError(store, messageOf(err)));
    return () => {
      offEvents();
      offCrash();
    };
  }, [store]);
}

/** A new backend choice applies at once when idle; a running queue keeps the one it started with. */
export function useBackendChoice(store: LabStore, ready: boolean, backend: BackendPreference): void {
  // The choice at start-up went with `init`.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (!ready || isBusy(store.state())) return;
    store.dispatch({ type: 'backend-busy' });
    store.client.call('setBackend', { backend }).then(
      (info) => store.dispatch({ type: 'backend', backend: info }),
      (err) => {
        store.dispatch({ type: 'backend', backend: null });
        showError(store, messageOf(err));
      },
    );
  }, [store, ready, backend]);
}
