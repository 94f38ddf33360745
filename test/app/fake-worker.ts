/**
 * A stand-in for the lab worker, for the page's client and its state hooks in Node: it records every call with its
 * transfer list, and the test answers calls by id, pushes events, or makes it crash. `respond` answers calls as they
 * arrive (a value, or a thrown error as the worker's rejection), a turn later as a real worker would.
 */
import type { WorkerPort } from '../../src/app/lab-client';
import type { CallMessage, LabEvent, LabMethod, WorkerMessage } from '../../src/worker/protocol';

export interface PostedCall {
  message: CallMessage;
  transfer: Transferable[];
}

export class FakeWorker implements WorkerPort {
  onmessage: WorkerPort['onmessage'] = null;
  onerror: WorkerPort['onerror'] = null;
  onmessageerror: WorkerPort['onmessageerror'] = null;
  readonly posted: PostedCall[] = [];
  /** Answers each call when set; `undefined` leaves it pending. */
  respond: ((call: CallMessage) => unknown) | null = null;

  postMessage(message: CallMessage, transfer: Transferable[]): void {
    this.posted.push({ message, transfer });
    const respond = this.respond;
    if (!respond) return;
    setTimeout(() => {
      try {
        const value = respond(message);
        if (value !== undefined) this.reply(message.id, value);
      } catch (err) {
        this.fail(message.id, (err as Error).name, (err as Error).message);
      }
    });
  }

  /** The calls of one method, in the order they were made. */
  calls<M extends LabMethod>(method: M): Extract<CallMessage, { method: M }>[] {
    return this.posted
      .map((p) => p.message)
      .filter((m): m is Extract<CallMessage, { method: M }> => m.method === method);
  }

  reply(id: number, value: unknown): void {
    this.deliver({ kind: 'reply', id, ok: true, value });
  }

  fail(id: number, name: string, message: string): void {
    this.deliver({ kind: 'reply', id, ok: false, error: { name, message } });
  }

  emit(event: LabEvent): void {
    this.deliver({ kind: 'event', event });
  }

  /** The worker's uncaught error (an out-of-memory abort); returns whether the client handled it (preventDefault). */
  crash(message: string): boolean {
    let handled = false;
    this.onerror?.({ message, preventDefault: () => (handled = true) } as unknown as ErrorEvent);
    return handled;
  }

  /** A message that could not be deserialised. */
  garble(): void {
    this.onmessageerror?.({} as MessageEvent);
  }

  private deliver(data: WorkerMessage): void {
    this.onmessage?.({ data } as MessageEvent<WorkerMessage>);
  }
}

/** Lets the fake worker's answers (a timer turn) and the promises after them settle. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
