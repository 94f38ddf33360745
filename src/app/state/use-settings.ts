import { useCallback, useEffect, useState } from 'react';
import { lessonParamsOf, withLessonParams } from '../lesson/lesson-link';
import { settingsFromHash, settingsToHash, type Settings } from './settings';

/**
 * The page's settings, read once from the URL hash and written back on every change (replaceState: editing a
 * field should not add a history entry per keystroke), keeping a lesson link's own parameters.
 */
export function useSettings(): [Settings, (patch: Partial<Settings>) => void] {
  const [settings, setSettings] = useState<Settings>(() => settingsFromHash(window.location.hash));

  useEffect(() => {
    // The lesson's own parameters (hide=, lesson=, present=) stay in the hash as the settings change.
    const hash = withLessonParams(settingsToHash(settings), lessonParamsOf(window.location.hash));
    const url = `${window.location.pathname}${window.location.search}${hash}`;
    if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
      window.history.replaceState(null, '', url);
    }
  }, [settings]);

  const update = useCallback((patch: Partial<Settings>) => setSettings((s) => ({ ...s, ...patch })), []);
  return [settings, update];
}
