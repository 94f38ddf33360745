/**
 * Content fingerprints (weights, image sets, a dataset's file list). Two independent
 * 32-bit MurmurHash3-style lanes (64 bits together: a chance collision is not a practical concern for a cache that
 * holds a handful of entries), fed 32-bit words, so hashing 87 MB of weights or a 500 MB image set takes a fraction
 * of the backbone pass it saves.
 */
/** An incremental hash over byte arrays; `digest()` gives 16 hex digits. */
export class Fingerprint {
  private h1 = 0x9747b28c;
  private h2 = 0x1b873593;
  private length = 0;
  private wordCount = 0;

  /** Feeds the bytes of any typed array (or a string, as UTF-16 code units). */
  update(data: ArrayBufferView | string): this {
    if (typeof data === 'string') {
      const codes = new Uint32Array(data.length);
      for (let i = 0; i < data.length; i++) codes[i] = data.charCodeAt(i);
      return this.update(codes);
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const aligned = bytes.byteOffset % 4 === 0;
    // Unaligned views (a subarray of image bytes) are copied in 1 MiB chunks to read them as words.
    const chunk = aligned ? bytes.byteLength : 1 << 20;
    for (let start = 0; start < bytes.byteLength; start += chunk) {
      const part = bytes.subarray(start, Math.min(bytes.byteLength, start + chunk));
      const source = aligned ? part : part.slice();
      const words = new Uint32Array(source.buffer, source.byteOffset, source.byteLength >>> 2);
      this.words(words);
      let tail = 0;
      for (let i = words.length * 4; i < source.byteLength; i++) tail = (tail << 8) | source[i];
      if (source.byteLength % 4 !== 0) this.words(Uint32Array.of(tail));
    }
    this.length += bytes.byteLength;
    return this;
  }

  private words(words: Uint32Array): void {
    let h1 = this.h1;
    let h2 = this.h2;
    const base = this.wordCount;
    for (let i = 0; i < words.length; i++) {
      let k = Math.imul(words[i], 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h1 ^= k;
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      h2 = (Math.imul(h2 ^ words[i] ^ (h2 >>> 15), 0x85ebca6b) + base + i) | 0;
    }
    this.wordCount += words.length;
    this.h1 = h1;
    this.h2 = h2;
  }

  digest(): string {
    const mix = (h: number): number => {
      h ^= this.length;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      return (h ^ (h >>> 16)) >>> 0;
    };
    return (
      mix(this.h1).toString(16).padStart(8, '0') +
      mix(this.h2 ^ 0x5bd1e995)
        .toString(16)
        .padStart(8, '0')
    );
  }
}
