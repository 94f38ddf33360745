import type { BackendInfo } from '../../worker/protocol';

const NAMES: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU (JavaScript)' };

/** "webgpu 410 img/s · wasm 36 img/s → webgpu": what auto timed for the run's model and size. */
export function measuredLine(backend: BackendInfo): string | null {
  if (backend.measured == null || backend.measured.length === 0) return null;
  const parts = backend.measured.map((m) => (m.imagesPerSec == null ? `${m.name} —` : `${m.name} ${Math.round(m.imagesPerSec)} img/s`));
  return `${parts.join(' · ')} → ${backend.name}`;
}

/**
 * Which tfjs backend the worker computes on, the GPU (or wasm threads) behind it, what auto measured, and why
 * other backends were passed over (software GPUs included).
 */
export function BackendIndicator({ backend, busy }: { backend: BackendInfo | null; busy: boolean }) {
  const name = backend ? (NAMES[backend.name] ?? backend.name) : busy ? 'starting…' : 'none';
  const skipped = backend?.fallbacks ?? [];
  const measured = backend ? measuredLine(backend) : null;
  const notes = (backend?.measured ?? []).filter((m) => m.note != null).map((m) => `${m.name}: ${m.note}`);
  const title = [...skipped.map((f) => `${f.name}: ${f.reason}`), ...notes].join('\n');
  return (
    <div className="backend" data-testid="backend-indicator" data-backend={backend?.name ?? ''}
      data-measured={measured ?? ''} title={title || undefined}>
      <span className={`backend-dot ${backend ? `is-${backend.name}` : ''} ${busy ? 'is-busy' : ''}`} aria-hidden />
      <span className="backend-name">Backend: {name}</span>
      {backend?.adapter && <span className="backend-adapter">{backend.adapter}</span>}
      {measured && <span className="backend-measured">{measured}</span>}
      {skipped.length > 0 && (
        <span className="backend-fallbacks">
          passed over: {skipped.map((f) => `${f.name} (${shortReason(f.reason)})`).join(', ')}
        </span>
      )}
    </div>
  );
}

/** The first clause of a reason (up to a comma, colon or semicolon outside brackets), for the inline list. */
export function shortReason(reason: string): string {
  let depth = 0;
  for (let i = 0; i < reason.length; i++) {
    const c = reason[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (c === ',' || c === ':' || c === ';') && i > 0) return reason.slice(0, i);
  }
  return reason;
}
