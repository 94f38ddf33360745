/**
 * The worker side of the protocol: dispatches calls to typed handlers, replies once per call, and pushes events.
 * A handler may wrap its result in `withTransfer` so large buffers move instead of being copied.
 */
import type {
  CallMessage,
  ErrorInfo,
  LabApi,
  LabArgs,
  LabEvent,
  LabMethod,
  LabResult,
  WorkerMessage,
} from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** A result plus the buffers to transfer with it. */
class Transferring<T> {
  constructor(
    readonly value: T,
    readonly transfer: Transferable[],
  ) {}
}

export function withTransfer<T>(value: T, transfer: Transferable[]): T {
  return new Transferring(value, transfer) as unknown as T;
}

export type Handlers = { [M in LabMethod]: (args: LabArgs<M>) => Promise<LabResult<M>> };

function post(message: WorkerMessage, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** Sends an event to the page. */
export function emit(event: LabEvent, transfer: Transferable[] = []): void {
  post({ kind: 'event', event }, transfer);
}

/** Starts answering calls. Calls run concurrently (a cancel must get through while `train` is running). */
export function serve(handlers: Handlers): void {
  scope.onmessage = async (e: MessageEvent<CallMessage>) => {
    const { id, method, args } = e.data;
    try {
      const handler = handlers[method] as (a: LabArgs<typeof method>) => Promise<unknown>;
      const result = await handler(args);
      if (result instanceof Transferring) post({ kind: 'reply', id, ok: true, value: result.value }, result.transfer);
      else post({ kind: 'reply', id, ok: true, value: result });
    } catch (err) {
      post({ kind: 'reply', id, ok: false, error: toErrorInfo(err) });
    }
  };
}

/**
 * Lets queued messages (a Cancel click) run. Awaiting tensor reads is not enough: on the cpu and wasm backends they
 * resolve as microtasks, which never give way to the message queue. A MessageChannel round trip is a macrotask
 * without setTimeout's 4 ms clamp.
 */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export type { LabApi };
