/**
 * The training settings. Bounds come from the core's experiment schema (the same as the CLI's flags); each field
 * validates itself, and cross-field problems come in `errors`.
 */
import type { BackendPreference } from '../../worker/protocol';
import { boundsOf, consecutiveSeeds, type Settings } from '../state/settings';
import { AdaptBnSetting } from './AdaptBnSetting';
import { NumberField } from './NumberField';
import { TransferSettings } from './TransferSettings';

interface Props {
  settings: Settings;
  errors: Partial<Record<keyof Settings, string>>;
  sizeProblem: string | null;
  /** Set when the loaded images would be decoded again at this size (lib/size-note.ts). */
  sizeNote?: string | null;
  running: boolean;
  /** The active backend's name, for the fine-tuning warning. */
  backend: string | null;
  /** Class names of the loaded data, for the positive-class choice. */
  classNames: string[];
  onChange: (patch: Partial<Settings>) => void;
}

const BACKENDS: { value: BackendPreference; label: string }[] = [
  { value: 'auto', label: 'Automatic (WebGPU → WebGL → wasm → CPU)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'cpu', label: 'CPU (plain JavaScript)' },
];

/** Most seeds a page run repeats over (each is a full training run). */
const MAX_REPEATS = 20;

type NumberKey = 'size' | 'epochs' | 'batchSize' | 'learningRate' | 'valFraction' | 'testFraction' | 'patience' | 'bnRecalibration'
  | 'bnMomentum' | 'threshold' | 'bootstrap';

export function SettingsForm({ settings: s, errors, sizeProblem, sizeNote, running, backend, classNames, onChange }: Props) {
  /** A number input bounded by the schema. */
  const field = (key: NumberKey, label: string, testId: string, extra: { hint?: string; step?: number | 'any'; error?: string | null } = {}) => {
    const b = boundsOf(key);
    return (
      <NumberField label={label} testId={testId} value={s[key]} min={b.min} max={b.max} step={extra.step ?? (b.integer ? 1 : 'any')}
        integer={b.integer} hint={extra.hint} error={extra.error ?? errors[key]} onChange={(v) => onChange({ [key]: v })} />
    );
  };
  const seedBounds = boundsOf('seeds');
  return (
    <div className="settings">
      <h3>Settings</h3>
      {running && <p className="note">The running queue keeps the settings it started with; changes apply to the next run.</p>}
      <div className="settings-grid">
        {field('size', 'Input size (px)', 'setting-size', { hint: sizeNote ?? '128 is quick; the study used 299', error: sizeProblem ?? errors.size })}
        <label className="field">
          <span className="field-label">Channels</span>
          <select value={s.channels} data-testid="setting-channels" onChange={(e) => onChange({ channels: Number(e.currentTarget.value) as 1 | 3 })}>
            <option value={3}>3 — grey repeated as RGB (the study)</option>
            <option value={1}>1 — grey</option>
          </select>
        </label>
        {field('epochs', 'Epochs', 'setting-epochs')}
        {field('batchSize', 'Batch size', 'setting-batch')}
        {field('learningRate', 'Learning rate (Adam)', 'setting-lr')}
        {field('valFraction', 'Validation fraction', 'setting-val', { hint: 'picks the best epoch', step: 0.05 })}
        {field('testFraction', 'Test fraction', 'setting-test', { hint: 'scored once, at the end', step: 0.05 })}
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
        {field('patience', 'Early stopping patience', 'setting-early-stopping', { hint: 'epochs without a better validation loss; 0 = off' })}
        {field('bnRecalibration', 'BatchNorm recalibration', 'setting-bn-recalibration', { hint: 'batches to refresh BatchNorm statistics before each validation; 0 = the study' })}
        {field('bnMomentum', 'BatchNorm momentum', 'setting-bn-momentum', { hint: "moving-average momentum; Keras' 0.99 = the study", step: 0.01 })}
        <NumberField label="Seed" testId="setting-seed" value={s.seeds[0]} min={seedBounds.min} max={seedBounds.max} step={1} integer
          hint="same seed, same split and weights" error={errors.seeds}
          onChange={(first) => onChange({ seeds: consecutiveSeeds(first, s.seeds.length) })} />
        <NumberField label="Repeat with N seeds" testId="setting-repeats" value={s.seeds.length} min={1} max={MAX_REPEATS} step={1} integer
          hint={s.seeds.length > 1 ? `seeds ${s.seeds.join(', ')}: mean ± sd per model; the split stays seed ${s.seeds[0]}'s` : 'one run per model; more seeds show how stable a result is'}
          onChange={(n) => onChange({ seeds: consecutiveSeeds(s.seeds[0], n) })} />
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
        <label className="field">
          <span className="field-label">Positive class</span>
          <select value={s.positiveClass ?? ''} data-testid="setting-positive"
            onChange={(e) => onChange({ positiveClass: e.currentTarget.value === '' ? null : e.currentTarget.value })}>
            <option value="">Automatic (PNEUMONIA, else the second class)</option>
            {[...new Set([...classNames, ...(s.positiveClass ? [s.positiveClass] : [])])].map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
          {errors.positiveClass && <span className="field-error">{errors.positiveClass}</span>}
        </label>
        {field('threshold', 'Recorded threshold', 'setting-threshold', { hint: 'P(positive) threshold of the saved metrics; the slider in step 4 explores others', step: 0.05 })}
        {field('bootstrap', 'Bootstrap resamples', 'setting-bootstrap', { hint: 'for the 95% intervals; 0 = none' })}
        <AdaptBnSetting settings={s} onChange={onChange} />
      </div>
      <TransferSettings settings={s} errors={errors} backend={backend} onChange={onChange} />
    </div>
  );
}
