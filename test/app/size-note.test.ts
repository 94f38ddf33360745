import { describe, expect, it } from 'vitest';
import { redecodeNote } from '../../src/app/lib/size-note';
import type { DatasetInfo } from '../../src/worker/protocol';

const dataset = (demo: boolean, store: { size: number; channels: 1 | 3 } | null): DatasetInfo =>
  ({ demo, summary: { images: 5216, store: store && { ...store, bytes: 0 } } }) as unknown as DatasetInfo;

describe('redecodeNote', () => {
  it('warns that another size decodes every image again', () => {
    expect(redecodeNote(dataset(false, { size: 128, channels: 3 }), 64, 3)).toBe(
      'The loaded images are decoded at 128 px: at 64 px, Train first decodes all 5,216 again (about as long as loading took).',
    );
    expect(redecodeNote(dataset(false, { size: 128, channels: 3 }), 128, 1)).toContain(
      'decoded at 128 px RGB: at 128 px grey',
    );
  });

  it('says nothing at the loaded size, for the drawn demo set, or before any data', () => {
    expect(redecodeNote(dataset(false, { size: 128, channels: 3 }), 128, 3)).toBeNull();
    expect(redecodeNote(dataset(true, { size: 128, channels: 3 }), 64, 3)).toBeNull();
    expect(redecodeNote(null, 64, 3)).toBeNull();
  });
});
