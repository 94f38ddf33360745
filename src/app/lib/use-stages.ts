/**
 * A view updated in stages: when its content changes (a model finishes), its parts catch up one after another, each
 * in a task of its own after a frame has been drawn, instead of rendering, laying out and painting them all in one
 * long main-thread task (about a second with the CPU throttled 4×, on the first results). Parts wait behind <Hold>
 * (components/Hold.tsx), showing what they showed before. A view that mounts with its content (a file opened, a
 * project restored) shows every part at once.
 */
import { useEffect, useState } from 'react';

/** If no frame comes (a hidden tab draws none), the next part catches up after this long anyway (ms). */
const NO_FRAME_MS = 250;

/**
 * How many of `count` later parts are up to date with `content`: `count` at mount when `ready`, back to 0 whenever
 * `content` changes (or while `ready` is false), then one more per frame.
 */
export function useStages(content: unknown, ready: boolean, count: number): number {
  const [stage, setStage] = useState(() => (ready ? count : 0));
  const [seen, setSeen] = useState(content);
  // New content: the later parts catch up again (React's pattern for state derived from a changed prop).
  if (seen !== content) {
    setSeen(content);
    setStage(0);
  }
  const current = seen !== content || !ready ? 0 : stage;
  useEffect(() => {
    if (!ready || current >= count) return undefined;
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const advance = () => {
      if (done) return;
      done = true;
      setStage((s) => Math.min(count, s + 1));
    };
    // After the next frame, so that the part shown before was laid out and painted in a frame of its own.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(advance, 0);
    });
    const fallback = setTimeout(advance, NO_FRAME_MS);
    return () => {
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      clearTimeout(fallback);
    };
  }, [ready, current, count]);
  return current;
}
