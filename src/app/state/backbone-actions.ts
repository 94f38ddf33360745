/**
 * What the transfer-learning card can ask of the worker: load a backbone's weights from this site or from dropped
 * files, cancel a download, clear the caches. Errors go to the page's one error banner, saying that whatever was
 * loaded before is still in use.
 */
import type { Dispatch } from 'react';
import type { BackboneId, BackboneSpecInfo } from '../../worker/protocol';
import type { LabClient } from '../lab-client';
import type { LabAction, LabState } from './lab-state';
import { messageOf } from './lab-store';

export interface BackboneActions {
  /** Downloads the backbone's TF.js export from this site (public/models/…), with progress. */
  loadBackboneFromSite(id: BackboneId): Promise<void>;
  /** A Keras .h5, or a model.json with its .bin shards. */
  loadBackboneFiles(id: BackboneId, files: File[]): Promise<void>;
  cancelBackboneLoad(id: BackboneId): void;
  clearTransferCaches(): Promise<void>;
}

export function backboneActions(
  client: LabClient,
  dispatch: Dispatch<LabAction>,
  latest: () => LabState,
): BackboneActions {
  const specOf = (id: BackboneId): BackboneSpecInfo | undefined => latest().backbones.specs?.find((s) => s.id === id);
  /** Downloads the user cancelled: their rejection is no error to show. */
  const cancelled = new Set<BackboneId>();

  const run = async (id: BackboneId, source: 'site' | 'files', start: () => Promise<unknown>) => {
    dispatch({ type: 'error', message: null });
    dispatch({ type: 'backbone-loading', id, source });
    cancelled.delete(id);
    try {
      await start();
    } catch (err) {
      if (cancelled.has(id)) return;
      const network = specOf(id)?.network ?? id;
      const before = latest().backbones.loaded[id];
      const kept = before
        ? ` The ${network} weights loaded before (${before.origin}) stay in use.`
        : ` Nothing was loaded, so ${network} cannot train yet.`;
      dispatch({
        type: 'error',
        message: `Could not load ${network} weights: ${messageOf(err).replace(/\.$/, '')}.${kept}`,
      });
    } finally {
      dispatch({ type: 'backbone-ended', id });
    }
  };

  return {
    loadBackboneFromSite: (id) =>
      run(id, 'site', () => {
        const spec = specOf(id);
        if (!spec) throw new Error('the lab worker has not listed its backbones yet');
        // Absolute: inside the worker a relative URL would resolve against the worker script, not the page.
        const url = new URL(spec.defaultUrl, document.baseURI).href;
        return client.call('loadBackboneUrl', { backboneId: id, url });
      }),
    loadBackboneFiles: (id, files) =>
      run(id, 'files', () =>
        client.call('loadBackboneFiles', { backboneId: id, files: files.map((f) => ({ name: f.name, blob: f })) }),
      ),
    cancelBackboneLoad: (id) => {
      cancelled.add(id);
      client
        .call('cancelBackboneLoad', { backboneId: id })
        .catch((err) => dispatch({ type: 'error', message: messageOf(err) }));
    },
    clearTransferCaches: async () => {
      try {
        await client.call('clearTransferCaches', null);
      } catch (err) {
        dispatch({ type: 'error', message: messageOf(err) });
      }
    },
  };
}
