/**
 * The command line's default data budget: the decoded images may take a quarter of this machine's memory (the
 * networks, their tensors and the decode threads need the rest), and never more than one buffer can hold.
 */
import { totalmem } from 'node:os';
import type { DataBudget } from '../decode-estimate';
import { formatBytes, MAX_STORE_BYTES } from '../memory';

/** Share of the machine's memory the decoded images may take by default. */
const DEFAULT_MEMORY_SHARE = 0.25;

/** A quarter of os.totalmem(), at most MAX_STORE_BYTES, named for the budget line. */
export function defaultMemoryBudget(total = totalmem()): DataBudget {
  const share = Math.floor(total * DEFAULT_MEMORY_SHARE);
  const note =
    share > MAX_STORE_BYTES
      ? `a quarter of this machine's ${formatBytes(total)}, capped at what one buffer holds`
      : `a quarter of this machine's ${formatBytes(total)}`;
  return { bytes: Math.min(MAX_STORE_BYTES, share), name: 'memory budget', note };
}
