/**
 * Finding byte-identical files. Public copies of the Kermany data hold a few exact duplicates (the same X-ray saved
 * twice); they do not leak across a patient-level split (each group stays within one patient) but they weigh double,
 * so loaders report them and the caller decides.
 */

/**
 * A 64-bit content fingerprint (two independent 32-bit hashes, FNV-1a and a multiplicative one) plus the length, as
 * a string key. Collisions between different files are vanishingly unlikely at dataset sizes (thousands of files).
 */
export function contentKey(bytes: Uint8Array): string {
  let fnv = 0x811c9dc5;
  let mul = 0x9747b28c;
  for (let i = 0; i < bytes.length; i++) {
    fnv = Math.imul(fnv ^ bytes[i], 0x01000193);
    mul = Math.imul(mul + bytes[i] + 1, 0x5bd1e995) ^ (mul >>> 13);
  }
  return `${bytes.length}:${(fnv >>> 0).toString(16)}:${(mul >>> 0).toString(16)}`;
}

/** Collects files by content and lists the groups that share it. */
export class DuplicateFinder {
  private readonly byKey = new Map<string, string[]>();

  /** Records `path` with its bytes. */
  add(path: string, bytes: Uint8Array): void {
    this.addKey(path, contentKey(bytes));
  }

  /** Records `path` with a key computed earlier by contentKey (when the bytes have since been handed away). */
  addKey(path: string, key: string): void {
    const list = this.byKey.get(key);
    if (list) list.push(path);
    else this.byKey.set(key, [path]);
  }

  /** Groups of two or more paths with identical bytes, each in the order added; groups ordered by first path. */
  groups(): string[][] {
    return [...this.byKey.values()]
      .filter((g) => g.length > 1)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** How many files are redundant copies (group size − 1, summed). */
  redundantCount(): number {
    return this.groups().reduce((n, g) => n + g.length - 1, 0);
  }
}
