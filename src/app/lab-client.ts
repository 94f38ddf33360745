/**
 * The page's handle on the lab worker: typed calls that return promises, and a stream of events. One worker per
 * page (module-level), so React's StrictMode double-mounting cannot start a second one. Only the state hooks
 * (src/app/state) hold it; components get typed actions from them.
 */
import type { CallMessage, LabArgs, LabEvent, LabMethod, LabResult, WorkerMessage } from '../worker/protocol';

type Listener = (event: LabEvent) => void;

/**
 * The part of a Worker the client uses: a real `Worker` in the page, a fake one in tests. A handler's event carries
 * what the client reads of it.
 */
export interface WorkerPort {
  postMessage(message: CallMessage, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
}

/** Raised when the worker itself died (out of memory, a crash in the browser): every pending call fails with it. */
export class WorkerCrashedError extends Error {
  constructor(detail: string) {
    super(`The training worker stopped (${detail}). Results already shown are kept; reload the page to train again.`);
    this.name = 'WorkerCrashedError';
  }
}

export class LabClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<Listener>();
  private readonly crashListeners = new Set<(err: Error) => void>();

  constructor(private readonly worker: WorkerPort) {
    worker.onmessage = (e) => this.receive(e.data);
    worker.onerror = (e) => {
      // Handled here: the browser need not log it as uncaught as well.
      e.preventDefault();
      this.crash(e.message || 'unknown error');
    };
    worker.onmessageerror = () => this.crash('a message could not be read');
  }

  /** Calls a worker method; `transfer` lists buffers to move rather than copy. */
  call<M extends LabMethod>(method: M, args: LabArgs<M>, transfer: Transferable[] = []): Promise<LabResult<M>> {
    const id = this.nextId++;
    return new Promise<LabResult<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const message = { kind: 'call', id, method, args } as CallMessage;
      this.worker.postMessage(message, transfer);
    });
  }

  /** Subscribes to worker events; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes to the worker's crash (after every pending call has failed); returns the unsubscribe function. */
  onCrash(listener: (err: Error) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  private receive(message: WorkerMessage): void {
    if (message.kind === 'event') {
      for (const l of this.listeners) l(message.event);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.ok) waiting.resolve(message.value);
    else {
      const err = new Error(message.error.message);
      err.name = message.error.name;
      waiting.reject(err);
    }
  }

  private crash(detail: string): void {
    const err = new WorkerCrashedError(detail);
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
    for (const l of this.crashListeners) l(err);
  }
}

let client: LabClient | null = null;

/** The page's one client, starting the lab worker on first use. */
export function getLabClient(): LabClient {
  client ??= new LabClient(
    new Worker(new URL('../worker/lab.worker.ts', import.meta.url), { type: 'module', name: 'xray-lab' }),
  );
  return client;
}
