import type { BackendInfo } from '../../worker/protocol';

const NAMES: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU (JavaScript)' };

/** Which tfjs backend the worker computes on, the GPU behind it, and why faster ones were passed over. */
export function BackendIndicator({ backend, busy }: { backend: BackendInfo | null; busy: boolean }) {
  const name = backend ? (NAMES[backend.name] ?? backend.name) : busy ? 'starting…' : 'none';
  const skipped = backend?.fallbacks ?? [];
  const title = skipped.map((f) => `${f.name}: ${f.reason}`).join('\n');
  return (
    <div className="backend" data-testid="backend-indicator" data-backend={backend?.name ?? ''} title={title || undefined}>
      <span className={`backend-dot ${backend ? `is-${backend.name}` : ''} ${busy ? 'is-busy' : ''}`} aria-hidden />
      <span className="backend-name">Backend: {name}</span>
      {backend?.adapter && <span className="backend-adapter">{backend.adapter}</span>}
      {skipped.length > 0 && (
        <span className="backend-fallbacks">
          passed over: {skipped.map((f) => f.name).join(', ')}
        </span>
      )}
    </div>
  );
}
