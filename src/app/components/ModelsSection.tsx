/** Step 2: choose the architectures, load the pretrained backbones' weights, and set how to train. */
import type { BackboneId } from '../../worker/protocol';
import { redecodeNote } from '../lib/size-note';
import type { LabState } from '../state/lab-state';
import type { Settings } from '../state/settings';
import type { BackboneActions } from '../state/backbone-actions';
import { BackboneCard } from './BackboneCard';
import { ModelChecklist } from './ModelChecklist';
import { Section } from './Section';
import { SettingsForm } from './SettingsForm';
import { useShown } from '../lesson/lesson-context';

interface Props {
  state: LabState;
  actions: BackboneActions;
  settings: Settings;
  errors: Partial<Record<keyof Settings, string>>;
  sizeProblem: string | null;
  onChange: (patch: Partial<Settings>) => void;
}

export function ModelsSection({ state, actions, settings, errors, sizeProblem, onChange }: Props) {
  const bb = state.backbones;
  const shown = useShown();
  const key = `${settings.size}x${settings.channels}`;
  const sizes = state.sizes?.key === key ? state.sizes.list : null;
  // Transfer counts measured before the weights changed (MobileNetV2's alpha) read as pending until measured again.
  const staleTransfer = state.sizes != null && state.sizes.weightsVersion !== bb.version;
  const toggle = (id: string, on: boolean) => {
    const chosen = new Set(settings.models);
    if (on) chosen.add(id);
    else chosen.delete(id);
    // Keep the registry's order, so the queue and the table read the same way every time.
    onChange({ models: state.models.map((m) => m.id).filter((m) => chosen.has(m)) });
  };
  const card = (id: string) => {
    const spec = bb.specs?.find((s) => s.id === id);
    if (!spec) return <p className="model-description">Checking for weights cached on an earlier visit…</p>;
    const bid = id as BackboneId;
    return (
      <BackboneCard
        spec={spec}
        status={bb.loaded[bid] ?? null}
        loading={bb.loading[bid] ?? null}
        disabled={state.running}
        onLoadFromSite={() => void actions.loadBackboneFromSite(bid)}
        onFiles={(files) => void actions.loadBackboneFiles(bid, files)}
        onCancel={() => actions.cancelBackboneLoad(bid)}
      />
    );
  };
  const anyLoading = Object.keys(bb.loading).length > 0;
  const footer = (
    <div className="transfer-footer">
      <button
        type="button"
        data-testid="weights-clear"
        disabled={state.running || anyLoading || !bb.specs}
        onClick={() => void actions.clearTransferCaches()}
      >
        Clear cached weights &amp; features
      </button>
      <span className="field-hint">
        {bb.persistent
          ? 'Loaded weights and computed features are kept in this browser (IndexedDB), so a download and a backbone pass happen once. Clearing also unloads the weights.'
          : 'This browser keeps nothing between visits: weights must be loaded again after a reload.'}
      </span>
    </div>
  );
  return (
    <Section
      step={2}
      id="models"
      title="Models"
      intro={`Three families, one question: how much network does a chest X-ray need? Parameters below are for ${settings.size}×${settings.size}×${settings.channels} inputs.`}
    >
      <div className="models-layout">
        {!shown('models') ? null : state.models.length === 0 ? (
          <p className="placeholder">Starting the lab worker…</p>
        ) : (
          <ModelChecklist
            models={state.models}
            groups={state.groups}
            sizes={sizes}
            selected={settings.models}
            size={settings.size}
            onToggle={toggle}
            transfer={{ card, footer, stale: staleTransfer }}
          />
        )}
        <SettingsForm
          settings={settings}
          errors={errors}
          sizeProblem={sizeProblem}
          running={state.running}
          backend={state.backend?.name ?? null}
          sizeNote={redecodeNote(state.dataset, settings.size, settings.channels)}
          classNames={state.dataset?.summary.classNames ?? []}
          onChange={onChange}
        />
      </div>
    </Section>
  );
}
