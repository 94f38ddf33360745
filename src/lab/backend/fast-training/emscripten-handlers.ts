/**
 * In Node, each start of tfjs's wasm build (emscripten) adds two process handlers that rethrow: every uncaught
 * exception and every unhandled rejection. A throw from inside such a handler ends the process at once, past any
 * handler of its host (vitest's reporter, the CLI's own messages), and they pile up with each start. tfjs's
 * post-script means to remove them on dispose, but its filter (`!list.indexOf(l) > -1`) picks every handler, the
 * host's too, and the backend's dispose never calls it. The lab removes what a start added as soon as it is done:
 * Node's own defaults (print, exit 1) apply again to anything no one else handles. A handler someone else adds while
 * wasm starts (a second or so) would be removed too; nothing in the lab does.
 */
type HandlerEvent = 'uncaughtException' | 'unhandledRejection';
const EVENTS: readonly HandlerEvent[] = ['uncaughtException', 'unhandledRejection'];

interface ProcessHandlers {
  listeners(event: HandlerEvent): ((...args: unknown[]) => void)[];
  removeListener(event: HandlerEvent, listener: (...args: unknown[]) => void): unknown;
}

function processHandlers(): ProcessHandlers | null {
  const p = (globalThis as { process?: Partial<ProcessHandlers> }).process;
  return typeof p?.listeners === 'function' && typeof p.removeListener === 'function' ? (p as ProcessHandlers) : null;
}

/** Runs `start` and then removes the process handlers it added (none are touched outside Node). */
export async function withoutAddedProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const p = processHandlers();
  if (p == null) return start();
  const before = new Map(EVENTS.map((event) => [event, new Set(p.listeners(event))]));
  try {
    return await start();
  } finally {
    for (const event of EVENTS) {
      for (const listener of p.listeners(event)) {
        if (!before.get(event)!.has(listener)) p.removeListener(event, listener);
      }
    }
  }
}
