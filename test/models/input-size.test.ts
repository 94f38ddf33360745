/** The one minimum-size rule the page, the CLI, the PyTorch export and the models share. */
import { describe, expect, it } from 'vitest';
import { InputSizeError, smallestInputSize, takesInputSize } from '../../src/lab/models/input-size';

describe('takesInputSize', () => {
  it('takes the smallest side and anything above it, nothing below', () => {
    const cnn = { minSize: 50 };
    expect(takesInputSize(cnn, 50)).toBe(true);
    expect(takesInputSize(cnn, 224)).toBe(true);
    expect(takesInputSize(cnn, 49)).toBe(false);
  });

  it('agrees with the side the layers leave at least one pixel of', () => {
    const minSize = smallestInputSize(3, 6);
    expect(minSize).toBe(50);
    expect(new InputSizeError('cnn', 32, minSize, 'why').message).toBe(
      'cnn needs an input of at least 50×50 (got 32×32): why',
    );
  });
});
