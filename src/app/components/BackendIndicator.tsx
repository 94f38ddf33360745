import type { BackendInfo } from '../../worker/protocol';

const NAMES: Record<string, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'CPU (JavaScript)',
};

/** "webgpu 410 img/s · wasm 36 img/s → webgpu": what auto timed for the run's model and size. */
export function measuredLine(backend: BackendInfo): string | null {
  if (backend.measured == null || backend.measured.length === 0) return null;
  const parts = backend.measured.map((m) =>
    m.imagesPerSec == null ? `${m.name} —` : `${m.name} ${Math.round(m.imagesPerSec)} img/s`,
  );
  return `${parts.join(' · ')} → ${backend.name}`;
}

const GPU_BACKENDS = ['webgpu', 'webgl'];

/**
 * Where training runs, in a class's words: "Training on this computer's processor (WebAssembly, 2 threads); no usable
 * graphics card found". The backend names and reasons are details, one click away.
 */
export function plainBackendLine(backend: BackendInfo | null, busy: boolean): string {
  if (!backend) return busy ? 'Starting the training engine…' : 'No training engine started';
  if (GPU_BACKENDS.includes(backend.name)) {
    return `Training on the graphics card (${NAMES[backend.name]}${backend.adapter ? `: ${backend.adapter}` : ''})`;
  }
  const threads = /(\d+) threads?/.exec(backend.adapter)?.[1];
  const how =
    backend.name === 'wasm'
      ? `WebAssembly${threads ? `, ${threads} thread${threads === '1' ? '' : 's'}` : ''}`
      : 'plain JavaScript, slow';
  const noGpu = backend.fallbacks.some((f) => GPU_BACKENDS.includes(f.name)) ? '; no usable graphics card found' : '';
  return `Training on this computer's processor (${how})${noGpu}`;
}

/**
 * Where training runs, in plain words; under "Details", which tfjs backend the worker computes on, the GPU (or wasm
 * threads) behind it, what auto measured, and why other backends were passed over (software GPUs included).
 */
export function BackendIndicator({ backend, busy }: { backend: BackendInfo | null; busy: boolean }) {
  const name = backend ? (NAMES[backend.name] ?? backend.name) : busy ? 'starting…' : 'none';
  const skipped = backend?.fallbacks ?? [];
  const measured = backend ? measuredLine(backend) : null;
  const notes = (backend?.measured ?? []).filter((m) => m.note != null).map((m) => `${m.name}: ${m.note}`);
  return (
    <div
      className="backend"
      data-testid="backend-indicator"
      data-backend={backend?.name ?? ''}
      data-measured={measured ?? ''}
    >
      <span className={`backend-dot ${backend ? `is-${backend.name}` : ''} ${busy ? 'is-busy' : ''}`} aria-hidden />
      <span className="backend-name" data-testid="backend-plain">
        {plainBackendLine(backend, busy)}
      </span>
      {backend && (
        <details className="backend-details">
          <summary>Details</summary>
          <span className="backend-adapter">
            Backend: {name}
            {backend.adapter ? ` · ${backend.adapter}` : ''}
            {backend.kernels === 'stock' ? ' · stock tfjs kernels' : ''}
          </span>
          {backend.kernelsNote && <span className="backend-reason">{backend.kernelsNote}</span>}
          {measured && <span className="backend-measured">{measured}</span>}
          {skipped.length > 0 && (
            <span className="backend-fallbacks">
              passed over: {skipped.map((f) => `${f.name} (${shortReason(f.reason)})`).join(', ')}
            </span>
          )}
          {skipped.map((f) => (
            <span key={f.name} className="backend-reason">
              {f.name}: {f.reason}
            </span>
          ))}
          {notes.map((n) => (
            <span key={n} className="backend-reason">
              {n}
            </span>
          ))}
        </details>
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
