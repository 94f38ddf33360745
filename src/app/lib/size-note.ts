/**
 * The images are kept decoded at the size and channels they were loaded with; training at another size decodes every
 * one again when Train is pressed (about 25 s for the 5,856-image Kaggle folder). Said beside the size field, so the
 * wait is not a surprise.
 */
import { formatInteger } from '../../lab/report/format';
import type { DatasetInfo } from '../../worker/protocol';

export function redecodeNote(dataset: DatasetInfo | null, size: number, channels: number): string | null {
  const store = dataset?.summary.store;
  // The demo set is drawn, not decoded: a new size costs next to nothing.
  if (!dataset || dataset.demo || !store || (store.size === size && store.channels === channels)) return null;
  const grey = (c: number) => (c === 1 ? 'grey' : 'RGB');
  const at = store.channels === channels ? `${store.size} px` : `${store.size} px ${grey(store.channels)}`;
  const wanted = store.channels === channels ? `${size} px` : `${size} px ${grey(channels)}`;
  return `The loaded images are decoded at ${at}: at ${wanted}, Train first decodes all ${formatInteger(dataset.summary.images)} again (about as long as loading took).`;
}
