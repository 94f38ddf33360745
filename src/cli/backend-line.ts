/**
 * The stderr line that says which backend runs. The lab registers some 20 kernels of its own on wasm and cpu; their
 * names help a developer, not a user, so they are listed only with --verbose.
 */
import type { BackendSelection } from '../lab/backend/select-backend';

export function backendLine(
  selection: Pick<BackendSelection, 'name' | 'fastKernels' | 'kernels'>,
  verbose: boolean,
): string {
  const kernels = selection.fastKernels;
  if (selection.kernels === 'stock') {
    const gaps = kernels.length > 0 ? `; the lab's ${kernels.join(', ')}, which ${selection.name} lacks` : '';
    return `backend: ${selection.name} (stock tfjs kernels${gaps})`;
  }
  if (kernels.length === 0) return `backend: ${selection.name}`;
  if (verbose) return `backend: ${selection.name} (fast kernels: ${kernels.join(', ')})`;
  return `backend: ${selection.name} (with the lab's ${kernels.length} fast training kernels; --verbose lists them)`;
}
