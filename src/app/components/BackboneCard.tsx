/**
 * One pretrained backbone in the Models step: whether its ImageNet weights are loaded (and from where, how pixels are
 * scaled, whether this browser keeps them), a download from this site with progress and Cancel, and a drop target
 * for weight files. Without weights the model cannot train: the lab never trains a random backbone.
 */
import { useRef, useState, type DragEvent } from 'react';
import { formatBytes, formatInteger } from '../../lab/report/format';
import type { BackboneSpecInfo, BackboneStatus, WeightsProgress } from '../../worker/protocol';
import type { BackboneLoading } from '../state/backbones-state';

interface Props {
  spec: BackboneSpecInfo;
  status: BackboneStatus | null;
  loading: BackboneLoading | null;
  /** A run is in progress: weights cannot change under it. */
  disabled: boolean;
  onLoadFromSite: () => void;
  onFiles: (files: File[]) => void;
  onCancel: () => void;
}

const RANGE_TEXT = { '-1,1': '[-1, 1]', '0,1': '[0, 1]' } as const;
const CONVENTION = { keras: 'Keras', 'tf-hub': 'TF-Hub', custom: 'custom' } as const;
const FORMAT = { 'tfjs-layers': 'TF.js layers', 'keras-h5': 'Keras .h5' } as const;

function phaseText(p: WeightsProgress | null, network: string): string {
  if (!p) return 'Starting…';
  switch (p.phase) {
    case 'downloading':
      return `Downloading: ${formatBytes(p.loaded)}${p.total ? ` of ${formatBytes(p.total)}` : ''}`;
    case 'reading':
      return `Reading the files${p.total ? ` (${formatBytes(p.total)})` : ''}…`;
    case 'checking':
      return `Checking every layer against ${network}…`;
    case 'cached':
      return 'Taking them from this browser\u2019s cache…';
  }
}

export function BackboneCard({ spec, status, loading, disabled, onLoadFromSite, onFiles, onCancel }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const busy = disabled || loading != null;
  const state = loading ? 'loading' : status ? 'loaded' : 'not-loaded';
  const p = loading?.progress ?? null;
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const files = [...e.dataTransfer.files];
    if (!busy && files.length > 0) onFiles(files);
  };
  return (
    <div
      className={`backbone is-${state} ${over ? 'is-over' : ''}`}
      data-testid={`backbone-${spec.id}`}
      data-status={state}
      data-params={status?.params ?? ''}
      data-range={status?.pixelRange ?? ''}
      data-cached={status ? String(status.cached) : ''}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      {loading && (
        <div className="backbone-loading">
          <span>{phaseText(p, spec.network)}</span>
          {/* Only a download knows its size; the other phases are short and indeterminate. */}
          <progress
            max={p?.phase === 'downloading' && p.total ? p.total : 1}
            value={p?.phase === 'downloading' && p.total ? p.loaded : undefined}
          />
          {loading.source === 'site' && (
            <button type="button" className="link-button" data-testid={`weights-cancel-${spec.id}`} onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
      )}
      {status ? (
        <p className="backbone-status">
          <span className="tag is-ok">loaded</span> {spec.network}
          {status.variant && ` ${status.variant}`} · {formatInteger(status.params)} parameters (
          {formatBytes(status.bytes)}) · pixels scaled to <strong>{RANGE_TEXT[status.pixelRange]}</strong> (
          {CONVENTION[status.convention]}) · from{' '}
          <code className="backbone-origin" title={status.origin}>
            {status.origin}
          </code>{' '}
          ({FORMAT[status.format]}, matched by {status.matchedBy}) ·{' '}
          {status.cached ? 'cached in this browser' : 'not cached: gone after a reload'}
        </p>
      ) : (
        !loading && (
          <p className="backbone-status is-missing">
            <span className="tag is-warn">not loaded</span> No ImageNet weights yet, so it cannot train. The lab never
            trains a randomly initialised backbone.
          </p>
        )
      )}
      <div className="button-row">
        <button
          type="button"
          data-testid={`weights-load-${spec.id}`}
          disabled={busy}
          onClick={onLoadFromSite}
          title={`Downloads ${spec.defaultUrl} next to this page (whoever deploys the lab puts it in public/)`}
        >
          Load from this site
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => input.current?.click()}
          title="Choose the files, or drag them onto this card"
        >
          Drop weights (.h5 or model.json + .bin)
        </button>
        <input
          ref={input}
          type="file"
          multiple
          className="visually-hidden"
          accept=".h5,.hdf5,.keras,.json,.bin"
          tabIndex={-1}
          aria-label={`Weight files for ${spec.id}`}
          data-testid={`weights-input-${spec.id}`}
          disabled={busy}
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = '';
            if (files.length > 0) onFiles(files);
          }}
        />
      </div>
    </div>
  );
}
