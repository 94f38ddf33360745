/**
 * Advanced settings of the transfer models' head, folded away (the study's values are the defaults): dropout before
 * the head, a LightDense head instead of Dense, and fine-tuning InceptionV3's top blocks after the head's epochs.
 */
import { useState } from 'react';
import { useShown } from '../lesson/lesson-context';
import { boundsOf, type Settings } from '../state/settings';
import { NumberField } from './NumberField';

interface Props {
  settings: Settings;
  errors: Partial<Record<keyof Settings, string>>;
  backend: string | null;
  onChange: (patch: Partial<Settings>) => void;
}

/** Backends without a GPU, where fine-tuning's per-epoch pass through mixed9 and mixed10 takes minutes. */
const CPU_BACKENDS = new Set(['wasm', 'cpu']);

export function TransferSettings({ settings: s, errors, backend, onChange }: Props) {
  const changed = s.headDropout > 0 || s.headRank > 0 || s.fineTune > 0;
  const slow = s.fineTune > 0 && (backend == null || CPU_BACKENDS.has(backend));
  // Open at first when a shared link changed these; after that the user's own toggle rules (a constant prop).
  const [openAtFirst] = useState(changed);
  const shown = useShown();
  if (!['head-dropout', 'head-rank', 'fine-tune'].some(shown)) return null;
  return (
    <details className="advanced" open={openAtFirst || undefined} data-testid="transfer-settings">
      <summary>Advanced: transfer-learning head{changed && <span className="tag">changed</span>}</summary>
      <div className="settings-grid">
        {shown('head-dropout') && (
          <NumberField
            label="Head dropout"
            testId="setting-head-dropout"
            value={s.headDropout}
            min={boundsOf('headDropout').min}
            max={boundsOf('headDropout').max}
            step={0.05}
            hint="before the head; 0 = the study (its extra runs used 0.25)"
            error={errors.headDropout}
            onChange={(headDropout) => onChange({ headDropout })}
          />
        )}
        {shown('head-rank') && (
          <NumberField
            label="LightDense head rank"
            testId="setting-head-rank"
            value={s.headRank}
            min={boundsOf('headRank').min}
            max={boundsOf('headRank').max}
            step={1}
            integer
            hint="0 = a plain Dense head (the study); k = a rank-k LightDense"
            error={errors.headRank}
            onChange={(headRank) => onChange({ headRank })}
          />
        )}
        {shown('fine-tune') && (
          <NumberField
            label="Fine-tune epochs (InceptionV3)"
            testId="setting-fine-tune"
            value={s.fineTune}
            min={boundsOf('fineTune').min}
            max={boundsOf('fineTune').max}
            step={1}
            integer
            hint="after the head's epochs, also train mixed9 and mixed10 (BatchNorm frozen, learning rate ×0.1); 0 = frozen, the study"
            error={errors.fineTune}
            onChange={(fineTune) => onChange({ fineTune })}
          />
        )}
      </div>
      {s.fineTune > 0 && (
        <p className={`note ${slow ? 'is-warning' : ''}`} data-testid="fine-tune-warning">
          {slow
            ? `Slow on ${backend ?? 'a CPU backend'}: every fine-tuning epoch runs InceptionV3's two top blocks forward and backward over each training image (minutes per epoch at 299 px). Use a WebGPU or WebGL backend, or keep it at 0.`
            : 'Each fine-tuning epoch runs InceptionV3\u2019s two top blocks forward and backward over every training image: far slower than the head alone.'}{' '}
          MobileNetV2 ignores this setting.
        </p>
      )}
    </details>
  );
}
