/**
 * The data-budget options of `compare` and `run`: how much memory the decoded images may take (checked before
 * decoding, against the estimate from the listed files) and the budget subset to take when they would not fit.
 */
import type { DataBudget } from '../lab/data/decode-estimate';
import { defaultMemoryBudget } from '../lab/data/node/memory-budget';
import type { OtherOption } from './experiment-flags';
import { floatOption, wholeNumberOption } from './options';

export const BUDGET_OPTIONS: Record<string, OtherOption> = {
  'memory-budget': {
    kind: 'value',
    help: "MB the decoded images may take, checked before decoding; over it, compare stops and names a --subset that fits [a quarter of this machine's memory, at most 4,294 MB]",
  },
  subset: {
    kind: 'value',
    help: 'N: decode a seeded subset of about N images that keeps every class, whole patients and the official splits (each in proportion), e.g. the one the budget line offers; applied after --limit',
  },
};

/** What the budget options ask for. */
export interface BudgetRequest {
  readonly budget: DataBudget;
  /** 0: every image. */
  readonly subset: number;
}

type Options = Record<string, string | boolean | string[] | undefined>;

/** The budget request of a command line; refuses a budget or subset that is not a positive number. */
export function budgetRequestOf(options: Options): BudgetRequest {
  const raw = options['memory-budget'] as string | undefined;
  const megabytes = raw === undefined ? undefined : floatOption('memory-budget', raw, 0, 0, 1e9, true);
  return {
    budget:
      megabytes === undefined
        ? defaultMemoryBudget()
        : {
            bytes: megabytes * 1e6,
            name: 'memory budget',
            note: 'set by --memory-budget',
          },
    subset: wholeNumberOption('subset', options.subset as string | undefined, 1, 1e9) ?? 0,
  };
}
