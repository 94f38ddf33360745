/** The training settings. Each field validates itself; cross-field problems come in `errors`. */
import type { BackendPreference } from '../../worker/protocol';
import type { Settings } from '../state/settings';
import { NumberField } from './NumberField';
import { TransferSettings } from './TransferSettings';

interface Props {
  settings: Settings;
  errors: Partial<Record<keyof Settings, string>>;
  sizeProblem: string | null;
  running: boolean;
  /** The active backend's name, for the fine-tuning warning. */
  backend: string | null;
  onChange: (patch: Partial<Settings>) => void;
}

const BACKENDS: { value: BackendPreference; label: string }[] = [
  { value: 'auto', label: 'Automatic (WebGPU → WebGL → wasm → CPU)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'cpu', label: 'CPU (plain JavaScript)' },
];

export function SettingsForm({ settings: s, errors, sizeProblem, running, backend, onChange }: Props) {
  return (
    <div className="settings">
      <h3>Settings</h3>
      {running && <p className="note">The running queue keeps the settings it started with; changes apply to the next run.</p>}
      <div className="settings-grid">
        <NumberField label="Input size (px)" testId="setting-size" value={s.size} min={8} max={512} step={1} integer
          error={sizeProblem} hint="128 is quick; the study used 299" onChange={(size) => onChange({ size })} />
        <label className="field">
          <span className="field-label">Channels</span>
          <select value={s.channels} data-testid="setting-channels" onChange={(e) => onChange({ channels: Number(e.currentTarget.value) as 1 | 3 })}>
            <option value={3}>3 — grey repeated as RGB (the study)</option>
            <option value={1}>1 — grey</option>
          </select>
        </label>
        <NumberField label="Epochs" testId="setting-epochs" value={s.epochs} min={1} max={500} step={1} integer onChange={(epochs) => onChange({ epochs })} />
        <NumberField label="Batch size" testId="setting-batch" value={s.batchSize} min={1} max={1024} step={1} integer onChange={(batchSize) => onChange({ batchSize })} />
        <NumberField label="Learning rate (Adam)" testId="setting-lr" value={s.learningRate} min={0.000001} max={1} step="any"
          error={errors.learningRate} onChange={(learningRate) => onChange({ learningRate })} />
        <NumberField label="Validation fraction" testId="setting-val" value={s.valFraction} min={0} max={0.9} step={0.05}
          hint="picks the best epoch" error={errors.valFraction} onChange={(valFraction) => onChange({ valFraction })} />
        <NumberField label="Test fraction" testId="setting-test" value={s.testFraction} min={0} max={0.9} step={0.05}
          hint="scored once, at the end" error={errors.testFraction} onChange={(testFraction) => onChange({ testFraction })} />
        <label className="field">
          <span className="field-label">Official val/ folder</span>
          <span className="checkbox-line">
            <input type="checkbox" data-testid="setting-keep-val" checked={s.keepOfficialVal}
              onChange={(e) => onChange({ keepOfficialVal: e.currentTarget.checked })} /> keep it as the validation set
          </span>
          <span className="field-hint">off: pooled with train/ and split by patient (Kermany&rsquo;s holds only 16 images)</span>
        </label>
        <label className="field">
          <span className="field-label">Class weights</span>
          <select value={s.classWeights} data-testid="setting-class-weights" onChange={(e) => onChange({ classWeights: e.currentTarget.value as Settings['classWeights'] })}>
            <option value="none">None (the study)</option>
            <option value="balanced">Balanced — rare class counts more</option>
          </select>
        </label>
        <NumberField label="Early stopping patience" testId="setting-early-stopping" value={s.earlyStopping} min={0} max={100} step={1} integer
          hint="epochs without a better validation loss; 0 = off" onChange={(earlyStopping) => onChange({ earlyStopping })} />
        <NumberField label="BatchNorm recalibration" testId="setting-bn-recalibration" value={s.bnRecalibration} min={0} max={1000} step={1} integer
          hint="batches to refresh BatchNorm statistics before each validation; 0 = the study" onChange={(bnRecalibration) => onChange({ bnRecalibration })} />
        <NumberField label="Seed" testId="setting-seed" value={s.seed} min={0} max={2 ** 31 - 1} step={1} integer
          hint="same seed, same split and weights" onChange={(seed) => onChange({ seed })} />
        <label className="field">
          <span className="field-label">Backend</span>
          <select value={s.backend} data-testid="setting-backend" onChange={(e) => onChange({ backend: e.currentTarget.value as BackendPreference })}>
            {BACKENDS.map((b) => <option key={b.value} value={b.value}>{b.label}</option>)}
          </select>
        </label>
        <label className="field" data-testid="setting-augmentation">
          <span className="field-label">Augmentation</span>
          <span className="checkbox-line">
            <input type="checkbox" data-testid="setting-augment" checked={s.augment}
              onChange={(e) => onChange({ augment: e.currentTarget.checked })} /> random flips, ±10° turns, shifts, zoom, brightness
          </span>
          <span className="field-hint">seeded, training images only; off = the study. Transfer heads train on fixed features and skip it</span>
        </label>
      </div>
      <TransferSettings settings={s} errors={errors} backend={backend} onChange={onChange} />
    </div>
  );
}
