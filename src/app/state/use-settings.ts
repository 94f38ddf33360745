import { useCallback, useEffect, useState } from 'react';
import { settingsFromHash, settingsToHash, type Settings } from './settings';

/**
 * The page's settings, read once from the URL hash and written back on every change (replaceState: editing a
 * field should not add a history entry per keystroke).
 */
export function useSettings(): [Settings, (patch: Partial<Settings>) => void] {
  const [settings, setSettings] = useState<Settings>(() => settingsFromHash(window.location.hash));

  useEffect(() => {
    const hash = settingsToHash(settings);
    const url = `${window.location.pathname}${window.location.search}${hash}`;
    if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
      window.history.replaceState(null, '', url);
    }
  }, [settings]);

  const update = useCallback((patch: Partial<Settings>) => setSettings((s) => ({ ...s, ...patch })), []);
  return [settings, update];
}
