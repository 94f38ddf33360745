/**
 * Runs `work` with IndexedDB's put (fake-indexeddb's, in Node) throwing QuotaExceededError at its `nth` call (1 =
 * the first), as a browser does when the disk fills mid-write; every other put goes through. Restored afterwards.
 */
export async function withDiskFullAtPut<T>(nth: number, work: () => Promise<T>): Promise<T> {
  const proto = IDBObjectStore.prototype as unknown as { put: (...args: unknown[]) => unknown };
  const put = proto.put;
  let calls = 0;
  proto.put = function (this: IDBObjectStore, ...args: unknown[]) {
    if (++calls === nth) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.apply(this, args);
  };
  try {
    return await work();
  } finally {
    proto.put = put;
  }
}
