/**
 * The training settings. Bounds come from the core's experiment schema (the same as the CLI's flags); each field
 * validates itself, and cross-field problems come in `errors`. A first visit shows only what a first run needs (input
 * size and epochs); every other setting sits behind "More settings" (remembered in this browser), each with its
 * one-line reason. A lesson link's `hide=` leaves a setting out entirely (by its flag), or the whole form (`settings`).
 */
import { useState, type ReactNode } from 'react';
import type { BackendPreference } from '../../worker/protocol';
import { useShown } from '../lesson/lesson-context';
import { useRememberedFlag } from '../lesson/remembered-flag';
import { withRecipe, type Recipe } from '../../lab/experiment/schema';
import { boundsOf, consecutiveSeeds, DEFAULT_SETTINGS, experimentOf, type Settings } from '../state/settings';
import { AdaptBnSetting } from './AdaptBnSetting';
import { NumberField } from './NumberField';
import { SelectField, type SelectOption } from './SelectField';
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

const BACKENDS: SelectOption<BackendPreference>[] = [
  { value: 'auto', label: 'Automatic (WebGPU → WebGL → wasm → CPU)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'cpu', label: 'CPU (plain JavaScript)' },
];

const CHANNELS: SelectOption<Settings['channels']>[] = [
  { value: 3, label: '3 — grey repeated as RGB (the study)' },
  { value: 1, label: '1 — grey' },
];

const CLASS_WEIGHTS: SelectOption<Settings['classWeights']>[] = [
  { value: 'none', label: 'None (the study)' },
  { value: 'balanced', label: 'Balanced — rare class counts more' },
];

const LR_SCHEDULES: SelectOption<Settings['lrSchedule']>[] = [
  { value: 'constant', label: 'Constant (the study)' },
  { value: 'cosine', label: 'Warm-up, then cosine decay' },
];

const VAL_LOSSES: SelectOption<Settings['valLoss']>[] = [
  { value: 'plain', label: 'Validation loss (the study)' },
  { value: 'balanced', label: 'Class-balanced validation loss' },
];

const RECIPES: SelectOption<Recipe>[] = [
  { value: 'robust', label: 'Robust — holds up on other hospitals\u2019 images' },
  { value: 'study', label: 'Study — the paper\u2019s protocol, exactly' },
];

/** Most seeds a page run repeats over (each is a full training run). */
const MAX_REPEATS = 20;

type NumberKey =
  | 'size'
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'valFraction'
  | 'testFraction'
  | 'patience'
  | 'bnRecalibration'
  | 'bnMomentum'
  | 'threshold'
  | 'bootstrap'
  | 'labelSmoothing';

type ChoiceKey = 'channels' | 'classWeights' | 'backend' | 'lrSchedule' | 'valLoss';

/** The settings behind "More settings" (everything but input size and epochs). */
const MORE_KEYS: readonly (keyof Settings)[] = [
  'channels',
  'batchSize',
  'learningRate',
  'valFraction',
  'testFraction',
  'keepOfficialVal',
  'classWeights',
  'patience',
  'bnRecalibration',
  'bnMomentum',
  'seeds',
  'backend',
  'augment',
  'siteAugment',
  'labelSmoothing',
  'lrSchedule',
  'valLoss',
  'ensemble',
  'positiveClass',
  'threshold',
  'bootstrap',
  'adaptBn',
  'headDropout',
  'headRank',
  'fineTune',
];

export function SettingsForm({
  settings: s,
  errors,
  sizeProblem,
  sizeNote,
  running,
  backend,
  classNames,
  onChange,
}: Props) {
  const shown = useShown();
  // A link that changed a setting behind "More settings" opens it, so what the link set can be seen.
  const [changedAtFirst] = useState(() =>
    MORE_KEYS.some((key) => JSON.stringify(s[key]) !== JSON.stringify(DEFAULT_SETTINGS[key])),
  );
  const [more, setMore] = useRememberedFlag('xray-lab-more-settings', false, changedAtFirst);
  if (!shown('settings')) return null;
  /** A control, unless the lesson hides its flag. */
  const only = (flag: string, control: ReactNode) => (shown(flag) ? control : null);
  /** A number input bounded by the schema. */
  const field = (
    key: NumberKey,
    flag: string,
    label: string,
    testId: string,
    extra: { hint?: string; step?: number | 'any'; error?: string | null } = {},
  ) => {
    const b = boundsOf(key);
    return only(
      flag,
      <NumberField
        key={key}
        label={label}
        testId={testId}
        value={s[key]}
        min={b.min}
        max={b.max}
        step={extra.step ?? (b.integer ? 1 : 'any')}
        integer={b.integer}
        hint={extra.hint}
        error={extra.error ?? errors[key]}
        onChange={(v) => onChange({ [key]: v })}
      />,
    );
  };
  /** A choice among fixed options. */
  const choice = <K extends ChoiceKey>(
    key: K,
    flag: string,
    label: string,
    testId: string,
    options: readonly SelectOption<Settings[K]>[],
    hint: string,
  ) =>
    only(
      flag,
      <SelectField
        key={flag}
        label={label}
        testId={testId}
        value={s[key]}
        options={options}
        hint={hint}
        onChange={(value) => onChange({ [key]: value })}
      />,
    );
  const seedBounds = boundsOf('seeds');
  const advanced = [
    choice(
      'channels',
      'channels',
      'Channels',
      'setting-channels',
      CHANNELS,
      'grey is a third of the memory; RGB is what ImageNet backbones expect',
    ),
    field('batchSize', 'batch', 'Batch size', 'setting-batch', {
      hint: 'images per step: larger is smoother and needs more memory',
    }),
    field('learningRate', 'lr', 'Learning rate (Adam)', 'setting-lr', {
      hint: 'step size of each update: too high diverges, too low crawls',
    }),
    field('valFraction', 'val-fraction', 'Validation fraction', 'setting-val', {
      hint: 'picks the best epoch',
      step: 0.05,
    }),
    field('testFraction', 'test-fraction', 'Test fraction', 'setting-test', {
      hint: 'scored once, at the end',
      step: 0.05,
    }),
    only(
      'keep-val',
      <label className="field" key="keep-val">
        <span className="field-label">Official val/ folder</span>
        <span className="checkbox-line">
          <input
            type="checkbox"
            data-testid="setting-keep-val"
            checked={s.keepOfficialVal}
            onChange={(e) => onChange({ keepOfficialVal: e.currentTarget.checked })}
          />{' '}
          keep it as the validation set
        </span>
        <span className="field-hint">
          off: pooled with train/ and split by patient (Kermany&rsquo;s holds only 16 images)
        </span>
      </label>,
    ),
    choice(
      'classWeights',
      'class-weights',
      'Class weights',
      'setting-class-weights',
      CLASS_WEIGHTS,
      'for unequal classes, so the network cannot win by always saying the common one',
    ),
    field('patience', 'patience', 'Early stopping patience', 'setting-early-stopping', {
      hint: 'epochs without a better validation loss; 0 = off',
    }),
    field('bnRecalibration', 'bn-recalibrate', 'BatchNorm recalibration', 'setting-bn-recalibration', {
      hint: 'batches to refresh BatchNorm statistics before each validation; 0 = the study',
    }),
    field('bnMomentum', 'bn-momentum', 'BatchNorm momentum', 'setting-bn-momentum', {
      hint: "moving-average momentum; Keras' 0.99 = the study",
      step: 0.01,
    }),
    only(
      'seeds',
      <NumberField
        key="seed"
        label="Seed"
        testId="setting-seed"
        value={s.seeds[0]}
        min={seedBounds.min}
        max={seedBounds.max}
        step={1}
        integer
        hint="same seed, same split and weights"
        error={errors.seeds}
        onChange={(first) => onChange({ seeds: consecutiveSeeds(first, s.seeds.length) })}
      />,
    ),
    only(
      'seeds',
      <NumberField
        key="repeats"
        label="Repeat with N seeds"
        testId="setting-repeats"
        value={s.seeds.length}
        min={1}
        max={MAX_REPEATS}
        step={1}
        integer
        hint={
          s.seeds.length > 1
            ? `seeds ${s.seeds.join(', ')}: mean ± sd per model; the split stays seed ${s.seeds[0]}'s`
            : 'one run per model; more seeds show how stable a result is'
        }
        onChange={(n) => onChange({ seeds: consecutiveSeeds(s.seeds[0], n) })}
      />,
    ),
    choice(
      'backend',
      'backend',
      'Backend',
      'setting-backend',
      BACKENDS,
      'where the arithmetic runs; automatic measures and picks the fastest',
    ),
    only(
      'augment',
      <label className="field" data-testid="setting-augmentation" key="augment">
        <span className="field-label">Augmentation</span>
        <span className="checkbox-line">
          <input
            type="checkbox"
            data-testid="setting-augment"
            checked={s.augment}
            onChange={(e) => onChange({ augment: e.currentTarget.checked })}
          />{' '}
          random flips, ±10° turns, shifts, zoom, brightness
        </span>
        <span className="field-hint">
          seeded, training images only; off = the study. Transfer heads train on fixed features and skip it
        </span>
      </label>,
    ),
    only(
      'augment-sites',
      <label className="field" key="augment-sites">
        <span className="field-label">Site differences</span>
        <span className="checkbox-line">
          <input
            type="checkbox"
            data-testid="setting-augment-sites"
            checked={s.siteAugment}
            onChange={(e) => onChange({ siteAugment: e.currentTarget.checked })}
          />{' '}
          vary gamma, blur, noise and contrast
        </span>
        <span className="field-hint">how X-rays from another hospital differ; training images only</span>
      </label>,
    ),
    field('labelSmoothing', 'label-smoothing', 'Label smoothing', 'setting-label-smoothing', {
      hint: 'aim for 1 − ε instead of certainty: less overconfident; 0 = the study',
      step: 0.05,
    }),
    choice(
      'lrSchedule',
      'lr-schedule',
      'Learning-rate schedule',
      'setting-lr-schedule',
      LR_SCHEDULES,
      'smaller steps at the end settle the weights',
    ),
    choice(
      'valLoss',
      'val-loss',
      'Best epoch by',
      'setting-val-loss',
      VAL_LOSSES,
      'balanced: the rare class counts as much as the common one',
    ),
    only(
      'ensemble',
      <label className="field" key="ensemble">
        <span className="field-label">Seed ensemble</span>
        <span className="checkbox-line">
          <input
            type="checkbox"
            data-testid="setting-ensemble"
            checked={s.ensemble}
            onChange={(e) => onChange({ ensemble: e.currentTarget.checked })}
          />{' '}
          also score the seeds&rsquo; average
        </span>
        <span className="field-hint">a row of its own when a model runs with two seeds or more</span>
      </label>,
    ),
    only(
      'positive',
      <SelectField
        key="positive"
        label="Positive class"
        testId="setting-positive"
        value={s.positiveClass ?? ''}
        options={[
          {
            value: '',
            label:
              classNames.length > 2
                ? 'None: every class against the rest'
                : 'Automatic (PNEUMONIA, else the second class)',
          },
          // A class the link named stays choosable before the data that has it is loaded.
          ...[...new Set([...classNames, ...(s.positiveClass ? [s.positiveClass] : [])])].map((c) => ({
            value: c,
            label: c,
          })),
        ]}
        hint={
          classNames.length > 2
            ? 'name one to get its sensitivity and specificity in the table'
            : 'the class sensitivity is measured on'
        }
        error={errors.positiveClass}
        onChange={(c) => onChange({ positiveClass: c === '' ? null : c })}
      />,
    ),
    field('threshold', 'threshold', 'Recorded threshold', 'setting-threshold', {
      hint: 'P(positive) threshold of the saved metrics; the slider in step 4 explores others',
      step: 0.05,
    }),
    field('bootstrap', 'bootstrap', 'Bootstrap resamples', 'setting-bootstrap', {
      hint: 'for the 95% intervals; 0 = none',
    }),
    only('adapt-bn', <AdaptBnSetting key="adapt-bn" settings={s} onChange={onChange} />),
  ].filter((c) => c !== null);
  return (
    <div className="settings">
      <h3>Settings</h3>
      {running && (
        <p className="note">The running queue keeps the settings it started with; changes apply to the next run.</p>
      )}
      <div className="settings-grid">
        {field('size', 'size', 'Input size (px)', 'setting-size', {
          hint: sizeNote ?? '128 is quick; the study used 299',
          error: sizeProblem ?? errors.size,
        })}
        {field('epochs', 'epochs', 'Epochs', 'setting-epochs', { hint: 'passes over the training images' })}
        {only(
          'recipe',
          <SelectField
            key="recipe"
            label="Recipe"
            testId="setting-recipe"
            value={s.recipe}
            options={RECIPES}
            hint="sets augmentation, class weights, schedule and more (More settings shows them)"
            // A recipe sets its ingredients too (augmentation, class weights, schedule, …).
            onChange={(recipe) => onChange(withRecipe(experimentOf(s), recipe))}
          />,
        )}
      </div>
      {advanced.length > 0 && (
        <button
          type="button"
          className="more-settings"
          aria-expanded={more}
          aria-controls="more-settings"
          data-testid="more-settings"
          onClick={() => setMore(!more)}
        >
          {more ? 'Fewer settings' : `More settings (${advanced.length})`}
        </button>
      )}
      {more && advanced.length > 0 && (
        <div className="settings-grid" id="more-settings">
          {advanced}
        </div>
      )}
      {more && <TransferSettings settings={s} errors={errors} backend={backend} onChange={onChange} />}
    </div>
  );
}
