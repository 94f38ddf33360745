/**
 * A part of a view updated in stages (lib/use-stages.ts): while `open` is false it keeps showing what it showed
 * before (nothing, before its first turn) and its children are not rendered; once open, it renders them as usual.
 */
import { memo, type ReactNode } from 'react';

function HoldView({ open, children }: { open: boolean; children: ReactNode }) {
  return open ? children : null;
}

/** Closed, a new render of the parent leaves the part as it was: memo's comparison says nothing changed. */
export const Hold = memo(HoldView, (_before, now) => !now.open);
