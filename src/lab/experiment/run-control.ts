/**
 * How a caller steers a running experiment: cancel one model (all its seeds, the queue goes on) or everything, and
 * interrupt the current run when something outside the awaited work broke (a lost GPU context surfaces in the
 * backend's own timers, and the read the run is waiting on may never settle).
 */

/** One run of an experiment: a model with a seed. */
export interface RunKey {
  readonly modelId: string;
  readonly seed: number;
}

/** The runs of an experiment, in the order the loop takes them: seed by seed, models in the experiment's order. */
export function plannedRuns(experiment: {
  readonly models: readonly string[];
  readonly seeds: readonly number[];
}): RunKey[] {
  return experiment.seeds.flatMap((seed) => experiment.models.map((modelId) => ({ modelId, seed })));
}

/** A run's key as one string (`light-k2@3`): for maps, events and page state. */
export function runKeyId(key: RunKey): string {
  return `${key.modelId}@${key.seed}`;
}

export class RunControl {
  private everything = false;
  private readonly models = new Set<string>();
  private readonly controllers = new Map<string, AbortController>();
  private interruptCurrent: ((reason: string) => void) | null = null;

  /** Cancels one model (its running seed keeps the weights it has, its queued seeds are skipped), or all. */
  cancel(modelId: string | null): void {
    if (modelId == null) this.everything = true;
    else this.models.add(modelId);
    for (const [id, controller] of this.controllers) {
      if (modelId == null || id.startsWith(`${modelId}@`)) controller.abort();
    }
  }

  get cancelledAll(): boolean {
    return this.everything;
  }

  isCancelled(modelId: string): boolean {
    return this.everything || this.models.has(modelId);
  }

  /** The signal a run trains under; ends the run's registration when `release` is called. */
  start(key: RunKey): { signal: AbortSignal; interrupted: Promise<string>; release: () => void } {
    const id = runKeyId(key);
    const controller = new AbortController();
    if (this.isCancelled(key.modelId)) controller.abort();
    this.controllers.set(id, controller);
    const interrupted = new Promise<string>((resolve) => {
      this.interruptCurrent = (reason) => {
        controller.abort();
        resolve(reason);
      };
    });
    return {
      signal: controller.signal,
      interrupted,
      release: () => {
        this.controllers.delete(id);
        this.interruptCurrent = null;
      },
    };
  }

  /** Fails the run in progress at once with `reason`; false when none is running. */
  interrupt(reason: string): boolean {
    if (!this.interruptCurrent) return false;
    this.interruptCurrent(reason);
    return true;
  }
}
