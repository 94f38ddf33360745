/**
 * A labelled choice among fixed options, laid out as every settings field is (label, control, hint, error). Option
 * values may be strings or numbers; `onChange` gets the option's own value back, not the DOM's string.
 */
import type { ReactNode } from 'react';

export interface SelectOption<T extends string | number> {
  value: T;
  label: string;
}

interface Props<T extends string | number> {
  label: string;
  testId: string;
  value: T;
  options: readonly SelectOption<T>[];
  /** One line on why the setting matters. */
  hint: ReactNode;
  error?: string | null;
  onChange: (value: T) => void;
}

export function SelectField<T extends string | number>({
  label,
  testId,
  value,
  options,
  hint,
  error,
  onChange,
}: Props<T>) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <select
        value={value}
        data-testid={testId}
        onChange={(e) => {
          const picked = options.find((o) => String(o.value) === e.currentTarget.value);
          if (picked) onChange(picked.value);
        }}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <span className="field-hint">{hint}</span>
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}
