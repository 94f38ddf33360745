/**
 * Presentation mode (`present=1` in the URL hash, or the masthead's button): large type, one step in view at a time,
 * charts sized for a projector. Kept in the hash so a reload, or a shared link, opens the same way.
 */
import { createContext, useCallback, useState } from 'react';

/** True in presentation mode, for components that size themselves (charts). */
export const PresentationContext = createContext(false);

/** How much taller charts are drawn in presentation mode. */
export const PRESENT_CHART_SCALE = 1.6;

export function usePresentationMode(initial: boolean): [boolean, (on: boolean) => void] {
  const [present, setPresent] = useState(initial);
  const set = useCallback((on: boolean) => {
    setPresent(on);
    const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    if (on) params.set('present', '1');
    else params.delete('present');
    const query = params.toString();
    window.history.replaceState(
      null,
      '',
      `${window.location.pathname}${window.location.search}${query === '' ? '' : `#${query}`}`,
    );
  }, []);
  return [present, set];
}
