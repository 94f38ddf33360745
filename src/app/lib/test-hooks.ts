/**
 * Hooks for the end-to-end tests, installed only when the page's URL carries `?test-hooks`: things a test must
 * cause that a user cannot (losing the GPU context mid-training). Nothing is exposed otherwise.
 */
import type { getLabClient } from '../lab-client';

export function installTestHooks(client: ReturnType<typeof getLabClient>): void {
  if (typeof window === 'undefined' || !new URLSearchParams(window.location.search).has('test-hooks')) return;
  (window as unknown as { __xrayLabTestHooks: unknown }).__xrayLabTestHooks = {
    loseGpuContext: () => client.call('loseGpuContext', null),
  };
}
