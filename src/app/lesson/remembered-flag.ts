/** A yes/no the page remembers in this browser (localStorage), such as whether "More settings" is open. */
import { useState } from 'react';

/** `startTrue` starts it true whatever was remembered (a shared link that changed what it shows). */
export function useRememberedFlag(
  key: string,
  initial = false,
  startTrue = false,
): [boolean, (value: boolean) => void] {
  const [value, setValue] = useState<boolean>(() => {
    if (startTrue) return true;
    try {
      const stored = window.localStorage.getItem(key);
      return stored == null ? initial : stored === '1';
    } catch {
      return initial; // storage refused (private mode): not remembered, still works
    }
  });
  const set = (next: boolean) => {
    setValue(next);
    try {
      window.localStorage.setItem(key, next ? '1' : '0');
    } catch {
      // as above
    }
  };
  return [value, set];
}
