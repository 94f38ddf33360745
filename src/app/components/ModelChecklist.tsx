/** The registry as a checklist, grouped by family, with parameters and weight bytes at the chosen input. */
import type { ReactNode } from 'react';
import type { ModelInfo, ModelSizeInfo } from '../../worker/protocol';
import { formatBytes, formatInteger } from '../../lab/report/format';

const FAMILIES: { family: ModelInfo['family']; title: string; note: string }[] = [
  {
    family: 'cnn',
    title: 'Plain convolutions',
    note: 'Every 3×3 convolution learns a full kernel for each pair of input and output channels: the study\'s baseline, and the most parameters per layer.',
  },
  {
    family: 'lightlayers',
    title: 'LightLayers — k is the rank',
    note: 'LightConv2D writes each kernel as a product of two thin matrices that meet in k columns. Small k: far fewer weights, less capacity. Sweeping k = 1 … 5 shows what accuracy each saved parameter costs.',
  },
  {
    family: 'transfer',
    title: 'Transfer learning',
    note: 'A network trained on ImageNet supplies fixed features and only a small Dense head learns. Load its ImageNet weights below; the backbone then runs once per image, its features are cached, and the head trains in seconds.',
  },
];

interface Props {
  models: ModelInfo[];
  sizes: ModelSizeInfo[] | null;
  selected: string[];
  size: number;
  onToggle: (id: string, on: boolean) => void;
  /** The weights card under each transfer model, and what closes the family (the cache controls). */
  transfer?: { card: (id: string) => ReactNode; footer: ReactNode; stale: boolean };
}

export function ModelChecklist({ models, sizes, selected, size, onToggle, transfer }: Props) {
  const sizeOf = (id: string) => sizes?.find((s) => s.id === id) ?? null;
  const pending = (m: ModelInfo) => m.family === 'transfer' && transfer?.stale;
  return (
    <div className="checklist">
      {FAMILIES.map(({ family, title, note }) => {
        const entries = models.filter((m) => m.family === family);
        if (entries.length === 0) return null;
        return (
          <fieldset key={family} className="family">
            <legend>{title}</legend>
            <p className="family-note">{note}</p>
            <ul>
              {entries.map((m) => {
                const measured = pending(m) ? null : sizeOf(m.id);
                const tooSmall = size < m.minSize;
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
                          : measured ? '—' : '…'}
                      </span>
                    </label>
                    {/* The LightLayers entries differ only in k, which the family note explains once. */}
                    {m.family !== 'lightlayers' && <p className="model-description">{m.description}</p>}
                    {tooSmall ? (
                      <p className="model-problem">Needs an input of at least {m.minSize}×{m.minSize} px.</p>
                    ) : measured?.error ? (
                      <p className="model-problem">{measured.error}</p>
                    ) : m.family === 'transfer' && measured?.trainableParams != null ? (
                      <p className="model-description">
                        Counts include the frozen backbone; only the head&rsquo;s {formatInteger(measured.trainableParams)} weights train.
                      </p>
                    ) : null}
                    {m.family === 'transfer' && transfer?.card(m.id)}
                  </li>
                );
              })}
            </ul>
            {family === 'transfer' && transfer?.footer}
          </fieldset>
        );
      })}
    </div>
  );
}
