/**
 * The page's handle on the lab worker: typed calls that return promises, and a stream of events. One worker per
 * page (module-level), so React's StrictMode double-mounting cannot start a second one.
 */
import type { CallMessage, LabArgs, LabEvent, LabMethod, LabResult, WorkerMessage } from '../worker/protocol';

type Listener = (event: LabEvent) => void;

/** Raised when the worker itself died (out of memory, a crash in the browser): every pending call fails with it. */
export class WorkerCrashedError extends Error {
  constructor(detail: string) {
    super(`The training worker stopped (${detail}). Results already shown are kept; reload the page to train again.`);
    this.name = 'WorkerCrashedError';
  }
}

export class LabClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<Listener>();
  private crashListeners = new Set<(err: Error) => void>();

  constructor() {
    this.worker = new Worker(new URL('../worker/lab.worker.ts', import.meta.url), { type: 'module', name: 'xray-lab' });
    this.worker.onmessage = (e: MessageEvent<WorkerMessage>) => this.receive(e.data);
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.crash(e.message || 'unknown error');
    };
    this.worker.onmessageerror = () => this.crash('a message could not be read');
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

export function getLabClient(): LabClient {
  client ??= new LabClient();
  return client;
}
