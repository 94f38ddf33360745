/** Step 2: choose the architectures and how to train them. */
import type { LabState } from '../state/lab-state';
import type { Settings } from '../state/settings';
import { ModelChecklist } from './ModelChecklist';
import { Section } from './Section';
import { SettingsForm } from './SettingsForm';

interface Props {
  state: LabState;
  settings: Settings;
  errors: Partial<Record<keyof Settings, string>>;
  sizeProblem: string | null;
  onChange: (patch: Partial<Settings>) => void;
}

export function ModelsSection({ state, settings, errors, sizeProblem, onChange }: Props) {
  const key = `${settings.size}x${settings.channels}`;
  const sizes = state.sizes?.key === key ? state.sizes.list : null;
  const toggle = (id: string, on: boolean) => {
    const chosen = new Set(settings.models);
    if (on) chosen.add(id);
    else chosen.delete(id);
    // Keep the registry's order, so the queue and the table read the same way every time.
    onChange({ models: state.models.map((m) => m.id).filter((m) => chosen.has(m)) });
  };
  return (
    <Section step={2} id="models" title="Models"
      intro={`Three families, one question: how much network does a chest X-ray need? Parameters below are for ${settings.size}×${settings.size}×${settings.channels} inputs.`}>
      <div className="models-layout">
        {state.models.length === 0
          ? <p className="placeholder">Starting the lab worker…</p>
          : <ModelChecklist models={state.models} sizes={sizes} selected={settings.models} size={settings.size} onToggle={toggle} />}
        <SettingsForm settings={settings} errors={errors} sizeProblem={sizeProblem} running={state.running} onChange={onChange} />
      </div>
    </Section>
  );
}
