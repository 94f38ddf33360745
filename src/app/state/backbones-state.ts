/**
 * The page's view of pretrained backbones: which exist, which weights are loaded (as the worker last reported),
 * and the loads under way with their progress. Loaded weights change only when the worker says so, so a failed
 * load can never make the page forget what is still loaded.
 */
import type {
  BackboneId,
  BackbonesInfo,
  BackboneSpecInfo,
  BackboneStatus,
  LabEvent,
  ModelInfo,
  WeightsProgress,
} from '../../worker/protocol';

export interface BackboneLoading {
  source: 'site' | 'files';
  /** null until the worker's first report. */
  progress: WeightsProgress | null;
}

export interface BackbonesState {
  /** null until the worker has restored the weights cached on an earlier visit. */
  specs: BackboneSpecInfo[] | null;
  loaded: Partial<Record<BackboneId, BackboneStatus>>;
  loading: Partial<Record<BackboneId, BackboneLoading>>;
  /** Whether weights and features survive a reload (IndexedDB in the worker). */
  persistent: boolean;
  /** Bumped whenever the loaded weights change: transfer models' counts are measured again. */
  version: number;
}

export const INITIAL_BACKBONES: BackbonesState = {
  specs: null,
  loaded: {},
  loading: {},
  persistent: false,
  version: 0,
};

export type BackboneAction =
  | { type: 'backbones-info'; info: BackbonesInfo }
  | { type: 'backbone-loading'; id: BackboneId; source: BackboneLoading['source'] }
  | { type: 'backbone-ended'; id: BackboneId };

type BackboneEvent = Extract<LabEvent, { type: 'backbones' | 'backbone-progress' }>;

const weightsKey = (list: readonly (BackboneStatus | undefined)[]) =>
  list
    .map((b) => b && `${b.backboneId}:${b.weightsId}`)
    .sort()
    .join(',');

function withLoaded(state: BackbonesState, list: BackboneStatus[]): BackbonesState {
  const loaded: BackbonesState['loaded'] = {};
  for (const b of list) loaded[b.backboneId] = b;
  const changed = weightsKey(list) !== weightsKey(Object.values(state.loaded));
  return { ...state, loaded, version: state.version + (changed ? 1 : 0) };
}

function withoutLoading(state: BackbonesState, id: BackboneId): BackbonesState {
  if (!state.loading[id]) return state;
  const loading = { ...state.loading };
  delete loading[id];
  return { ...state, loading };
}

export function backbonesReducer(state: BackbonesState, action: BackboneAction): BackbonesState {
  switch (action.type) {
    case 'backbones-info':
      return withLoaded({ ...state, specs: action.info.specs, persistent: action.info.persistent }, action.info.loaded);
    case 'backbone-loading':
      return { ...state, loading: { ...state.loading, [action.id]: { source: action.source, progress: null } } };
    case 'backbone-ended':
      return withoutLoading(state, action.id);
  }
}

export function applyBackboneEvent(state: BackbonesState, event: BackboneEvent): BackbonesState {
  if (event.type === 'backbones') return withLoaded(state, event.loaded);
  if (event.progress === null) return withoutLoading(state, event.backboneId);
  const source = state.loading[event.backboneId]?.source ?? 'site';
  return { ...state, loading: { ...state.loading, [event.backboneId]: { source, progress: event.progress } } };
}

/** Why the selected transfer models cannot train yet, or null. `selected`: the ticked registry models. */
export function backboneBlocker(state: BackbonesState, selected: readonly ModelInfo[]): string | null {
  const transfer = selected.filter((m) => m.backbone !== null);
  const specs = state.specs;
  if (!specs) return transfer.length > 0 ? 'Checking for ImageNet weights cached on an earlier visit…' : null;
  const chosen = specs.filter((s) => transfer.some((m) => m.id === s.id));
  const busy = chosen.find((s) => state.loading[s.id]);
  if (busy) return `Wait for the ${busy.network} weights to finish loading.`;
  const missing = transfer.filter((m) => chosen.some((s) => s.id === m.id && !state.loaded[s.id]));
  if (missing.length === 0) return null;
  const names = missing.map((m) => m.label).join(' and ');
  return `${names} ${missing.length === 1 ? 'needs' : 'need'} ImageNet weights first: in step 2, press "Load from this site" or drop a Keras .h5 (or model.json + .bin) on its card.`;
}
