/** The registry as a checklist in the registry's groups, with parameters and weight bytes at the chosen input. */
import type { ReactNode } from 'react';
import type { ModelGroup, ModelInfo, ModelSizeInfo } from '../../worker/protocol';
import { formatBytes, formatInteger } from '../../lab/report/format';
import { takesInputSize } from '../../lab/models/input-size';

interface Props {
  models: ModelInfo[];
  groups: ModelGroup[];
  sizes: ModelSizeInfo[] | null;
  selected: string[];
  size: number;
  onToggle: (id: string, on: boolean) => void;
  /** The weights card under each model that needs a pretrained backbone, and what closes its group (the cache controls). */
  transfer?: { card: (id: string) => ReactNode; footer: ReactNode; stale: boolean };
}

export function ModelChecklist({ models, groups, sizes, selected, size, onToggle, transfer }: Props) {
  const sizeOf = (id: string) => sizes?.find((s) => s.id === id) ?? null;
  const pending = (m: ModelInfo) => m.backbone !== null && transfer?.stale;
  return (
    <div className="checklist">
      {groups.map(({ id: group, title, note }) => {
        const entries = models.filter((m) => m.group === group);
        if (entries.length === 0) return null;
        // Networks of one rank sweep differ only in k, which the group note explains once.
        const sweep = entries.every((m) => m.rank !== null);
        return (
          <fieldset key={group} className="model-group">
            <legend>{title}</legend>
            <p className="model-group-note">{note}</p>
            <ul>
              {entries.map((m) => {
                const measured = pending(m) ? null : sizeOf(m.id);
                const tooSmall = !takesInputSize(m, size);
                return (
                  <li key={m.id} className={`model-option ${tooSmall ? 'is-refused' : ''}`}>
                    <label title={m.description}>
                      <input
                        type="checkbox"
                        data-testid={`model-option-${m.id}`}
                        checked={selected.includes(m.id)}
                        onChange={(e) => onToggle(m.id, e.currentTarget.checked)}
                      />
                      <span className="model-label">{m.label}</span>
                      <span className="model-size" data-model-params={measured?.params ?? ''}>
                        {measured?.params != null
                          ? `${formatInteger(measured.params)} params · ${formatBytes(measured.bytes)}`
                          : measured
                            ? '—'
                            : '…'}
                      </span>
                    </label>
                    {!sweep && <p className="model-description">{m.description}</p>}
                    {tooSmall ? (
                      <p className="model-problem">
                        Needs an input of at least {m.minSize}×{m.minSize} px.
                      </p>
                    ) : measured?.error ? (
                      <p className="model-problem">{measured.error}</p>
                    ) : m.backbone !== null && measured?.trainableParams != null ? (
                      <p className="model-description">
                        Counts include the frozen backbone; only the head&rsquo;s{' '}
                        {formatInteger(measured.trainableParams)} weights train.
                      </p>
                    ) : null}
                    {m.backbone !== null && transfer?.card(m.id)}
                  </li>
                );
              })}
            </ul>
            {entries.some((m) => m.backbone !== null) && transfer?.footer}
          </fieldset>
        );
      })}
    </div>
  );
}
