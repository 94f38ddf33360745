import { describe, expect, it } from 'vitest';
import { LabClient, WorkerCrashedError } from '../../src/app/lab-client';
import type { LabEvent } from '../../src/worker/protocol';
import { FakeWorker } from './fake-worker';

function connected() {
  const worker = new FakeWorker();
  return { worker, client: new LabClient(worker) };
}

const problem = (message: string): LabEvent => ({ type: 'problem', message });

describe('LabClient', () => {
  it('posts each call with its own id and resolves it with the reply of that id, in whatever order they come', async () => {
    const { worker, client } = connected();
    const usage = client.call('storageUsage', null);
    const cleared = client.call('clearStorage', null);
    const [first, second] = worker.posted.map((p) => p.message);
    expect(first).toEqual({ kind: 'call', id: first.id, method: 'storageUsage', args: null });
    expect(second.method).toBe('clearStorage');
    expect(second.id).not.toBe(first.id);
    worker.reply(second.id, 'second');
    worker.reply(first.id, 'first');
    await expect(usage).resolves.toBe('first');
    await expect(cleared).resolves.toBe('second');
  });

  it("rejects a call the worker failed with an Error of the worker's name and message", async () => {
    const { worker, client } = connected();
    const loading = client.call('cancelLoad', null);
    worker.fail(worker.posted[0].message.id, 'RangeError', 'nothing is loading');
    const err = await loading.catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'RangeError', message: 'nothing is loading' });
  });

  it('ignores a reply to no pending call (unknown id, or answered already)', async () => {
    const { worker, client } = connected();
    const usage = client.call('storageUsage', null);
    const id = worker.posted[0].message.id;
    expect(() => worker.reply(id + 100, 'stray')).not.toThrow();
    worker.reply(id, 'answer');
    expect(() => worker.fail(id, 'Error', 'late')).not.toThrow();
    await expect(usage).resolves.toBe('answer');
  });

  it('passes events to every listener until it unsubscribes, and replies to none', async () => {
    const { worker, client } = connected();
    const seen: string[][] = [[], []];
    const offFirst = client.on((e) => seen[0].push(e.type === 'problem' ? e.message : e.type));
    client.on((e) => seen[1].push(e.type === 'problem' ? e.message : e.type));
    worker.emit(problem('one'));
    offFirst();
    worker.emit(problem('two'));
    const usage = client.call('storageUsage', null);
    worker.reply(worker.posted[0].message.id, 'usage');
    await usage;
    expect(seen).toEqual([['one'], ['one', 'two']]);
  });

  it('moves the buffers of the transfer list with the call, and none when not given', () => {
    const { worker, client } = connected();
    const bytes = new ArrayBuffer(8);
    void client.call('loadOnnxModel', { ref: 'onnx:a', bytes }, [bytes]);
    void client.call('storageUsage', null);
    expect(worker.posted[0].transfer).toEqual([bytes]);
    expect(worker.posted[0].transfer[0]).toBe(bytes);
    expect(worker.posted[1].transfer).toEqual([]);
  });

  it('fails every pending call with WorkerCrashedError when the worker dies, and tells the crash listeners', async () => {
    const { worker, client } = connected();
    const done = client.call('storageUsage', null);
    worker.reply(worker.posted[0].message.id, 'kept');
    const pending = [client.call('train', { experiment: {} as never }), client.call('cancelLoad', null)];
    const heard: Error[] = [];
    client.onCrash((err) => heard.push(err));
    const offOther = client.onCrash(() => heard.push(new Error('unsubscribed listener called')));
    offOther();
    expect(worker.crash('out of memory')).toBe(true);
    const errors = await Promise.all(pending.map((p) => p.catch((e: Error) => e)));
    for (const err of errors) {
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect(err).toMatchObject({ name: 'WorkerCrashedError' });
      expect((err as Error).message).toContain('(out of memory)');
    }
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBe(errors[0]);
    await expect(done).resolves.toBe('kept');
    // A late reply to a failed call changes nothing.
    expect(() => worker.reply(worker.posted[1].message.id, 'late')).not.toThrow();
  });

  it('names the cause of a crash it was not told, and treats an unreadable message as a crash', async () => {
    const { worker, client } = connected();
    const first = client.call('storageUsage', null);
    worker.crash('');
    await expect(first).rejects.toThrow(/stopped \(unknown error\)/);
    const second = client.call('storageUsage', null);
    worker.garble();
    await expect(second).rejects.toThrow(WorkerCrashedError);
    await expect(second).rejects.toThrow(/a message could not be read/);
  });
});
