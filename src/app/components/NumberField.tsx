/**
 * A number input that keeps what the user types (a half-typed "0." or an empty box) as a draft and commits only
 * valid numbers, showing why a value is refused.
 */
import { useEffect, useId, useState } from 'react';

interface Props {
  label: string;
  value: number;
  onChange: (value: number) => void;
  min: number;
  max: number;
  step: number | 'any';
  integer?: boolean;
  testId?: string;
  disabled?: boolean;
  /** Extra problem to show (from cross-field validation). */
  error?: string | null;
  hint?: string;
  compact?: boolean;
}

export function NumberField(props: Props) {
  const id = useId();
  const [draft, setDraft] = useState(String(props.value));
  useEffect(() => setDraft((d) => (Number(d) === props.value ? d : String(props.value))), [props.value]);

  const parsed = draft.trim() === '' ? NaN : Number(draft);
  const ownError = !Number.isFinite(parsed)
    ? 'enter a number'
    : props.integer && !Number.isInteger(parsed)
      ? 'a whole number'
      : parsed < props.min || parsed > props.max
        ? `from ${props.min} to ${props.max}`
        : null;
  const error = ownError ?? props.error ?? null;

  return (
    <label className={`field ${props.compact ? 'is-compact' : ''} ${error ? 'has-error' : ''}`} htmlFor={id}>
      <span className="field-label">{props.label}</span>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        min={props.min}
        max={props.max}
        step={props.step}
        value={draft}
        disabled={props.disabled}
        data-testid={props.testId}
        aria-invalid={error != null}
        onChange={(e) => {
          const text = e.currentTarget.value;
          setDraft(text);
          const n = Number(text);
          if (text.trim() !== '' && Number.isFinite(n) && (!props.integer || Number.isInteger(n))) props.onChange(n);
        }}
      />
      {error ? (
        <span className="field-error">{error}</span>
      ) : props.hint ? (
        <span className="field-hint">{props.hint}</span>
      ) : null}
    </label>
  );
}
