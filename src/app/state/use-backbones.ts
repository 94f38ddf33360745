/**
 * Pretrained backbones for the transfer models: once the worker is ready, which exist and which weights it restored
 * from an earlier visit; then the transfer card's actions (backbone-actions.ts).
 */
import { useEffect, useMemo } from 'react';
import { backboneActions, type BackboneActions } from './backbone-actions';
import { messageOf, showError, type LabStore } from './lab-store';

export function useBackbones(store: LabStore, ready: boolean): BackboneActions {
  useEffect(() => {
    if (!ready) return;
    // After init: restoring cached weights (up to 87 MB from IndexedDB) must not hold up the page.
    store.client.call('backbones', null).then(
      (info) => {
        store.dispatch({ type: 'backbones-info', info });
        if (info.restoreError) showError(store, `${info.restoreError}. Load the weights again.`);
      },
      (err) => showError(store, messageOf(err)),
    );
  }, [store, ready]);
  // Made once: it remembers which downloads the user cancelled.
  return useMemo(() => backboneActions(store.client, store.dispatch, store.state), [store]);
}
