/**
 * The page's one lab state (a reducer over worker events and user actions) and the handle the focused hooks share:
 * the worker client, the dispatch, and the state and settings as last rendered, read through refs so an action that
 * runs later always sees the latest values.
 */
import { useMemo, useReducer, useRef, type Dispatch } from 'react';
import { getLabClient, type LabClient } from '../lab-client';
import { INITIAL_STATE, labReducer, type LabAction, type LabState } from './lab-state';
import type { Settings } from './settings';

export interface LabStore {
  readonly client: LabClient;
  readonly dispatch: Dispatch<LabAction>;
  /** The state as last rendered. */
  state(): LabState;
  /** The settings as last rendered. */
  settings(): Settings;
}

/** An error's text, whatever was thrown. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Shows `text` in the page's one error banner (null hides it). */
export function showError(store: Pick<LabStore, 'dispatch'>, text: string | null): void {
  store.dispatch({ type: 'error', message: text });
}

/** The lab state and the store over it; the store is one object for the page's lifetime. */
export function useLabStore(settings: Settings): [LabState, LabStore] {
  const [state, dispatch] = useReducer(labReducer, INITIAL_STATE);
  const latestState = useRef(state);
  latestState.current = state;
  const latestSettings = useRef(settings);
  latestSettings.current = settings;
  const store = useMemo<LabStore>(
    () => ({
      client: getLabClient(),
      dispatch,
      state: () => latestState.current,
      settings: () => latestSettings.current,
    }),
    [],
  );
  return [state, store];
}
