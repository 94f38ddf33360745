/**
 * The project store: IndexedDB (database `xray-lab-project`) holding the saved project between visits. IndexedDB
 * rather than the Origin Private File System: it is there in the page and the worker alike in every browser the lab
 * supports, it stores typed arrays as they are (no serialising of weights), and its transactions are atomic — a
 * checkpoint is either written whole or not at all, so a quota error or a crash mid-write leaves the previous one.
 *
 * Every failure becomes a {@link StorageError} with a sentence for the user; reading checks every entry and reports
 * the ones it left out. A store written by an older schema is cleared on open with a notice (its layout cannot be
 * read); one written by a newer lab is refused untouched.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { decodeCheckpoint, CorruptCheckpointError } from './checkpoint-codec';
import type { TrainCheckpoint } from '../train/checkpoint';
import {
  savedContextProblem,
  savedRunId,
  savedRunProblem,
  type InterruptedRun,
  type SavedContext,
  type SavedProject,
  type SavedRun,
} from './saved-project';

export const STORE_DB = 'xray-lab-project';
/** Bumped when the layout changes; an older store is cleared on open, with a notice. */
export const STORE_VERSION = 1;

interface ProjectDb extends DBSchema {
  meta: { key: string; value: unknown };
  context: { key: string; value: SavedContext };
  runs: { key: string; value: SavedRun };
  checkpoints: { key: string; value: { info: InterruptedRun; bytes: Uint8Array } };
}

/** Saving or reading failed: `message` says what, why, and what still holds. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly reason: 'quota' | 'refused' | 'newer' | 'other',
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** The browser's error as a StorageError about `what` ("the checkpoint of light-k4 after epoch 3"). */
export function storageError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const name = (err as { name?: string })?.name ?? '';
  const detail = (err as Error)?.message ?? String(err);
  if (name === 'QuotaExceededError' || /quota/i.test(detail)) {
    return new StorageError(
      `Browser storage is full: ${what} was not saved (what was saved before is kept). ` +
        'Clear stored data, or free space in the browser, to keep autosaving.',
      'quota',
    );
  }
  if (name === 'VersionError') {
    return new StorageError(
      'The saved work was written by a newer version of X-Ray Lab and is left untouched: open the ' +
        'newer version, or clear stored data to start afresh here.',
      'newer',
    );
  }
  if (name === 'SecurityError' || name === 'InvalidStateError' || /denied|not allowed|private/i.test(detail)) {
    return new StorageError(
      `This browser refuses to store data for this page (private browsing?): ${what} is not ` +
        `saved, and a reload will lose it. Use "Save project" to keep your work. (${name || 'error'}: ${detail})`,
      'refused',
    );
  }
  return new StorageError(`Could not save ${what}: ${detail}`, 'other');
}

/**
 * Issues a transaction's requests (`issue` pushes each one's promise) and waits for them and for the commit. When
 * one fails — or is refused at once, by a throw rather than through the transaction — the transaction is aborted,
 * so nothing of it commits (a clear issued before a refused put must not), and the error is thrown.
 */
export async function allOrNothing(
  tx: { done: Promise<void>; abort(): void },
  issue: (writes: Promise<unknown>[]) => void,
): Promise<void> {
  const writes: Promise<unknown>[] = [tx.done];
  try {
    issue(writes);
    await Promise.all(writes);
  } catch (err) {
    for (const w of writes) w.catch(() => undefined);
    try {
      tx.abort();
    } catch {
      // already aborted by the browser
    }
    throw err;
  }
}

export class ProjectStore {
  private constructor(
    private readonly db: IDBPDatabase<ProjectDb>,
    private notice: string | null,
  ) {}

  /** Opens (or creates) the store; throws a StorageError where the browser refuses it. `version` is for tests. */
  static async open(version = STORE_VERSION): Promise<ProjectStore> {
    if (typeof indexedDB === 'undefined') {
      throw new StorageError(
        'This browser has no IndexedDB: work is not saved between visits. Use "Save project" to keep it.',
        'refused',
      );
    }
    let notice: string | null = null;
    try {
      const db = await openDB<ProjectDb>(STORE_DB, version, {
        upgrade(db, oldVersion) {
          if (oldVersion > 0) {
            // An older layout: nothing in it can be read safely. Say so rather than restoring half of it.
            for (const name of [...db.objectStoreNames]) db.deleteObjectStore(name);
            notice = `Saved work from an older version of X-Ray Lab (store version ${oldVersion}) could not be read and was cleared.`;
          }
          db.createObjectStore('meta');
          db.createObjectStore('context');
          db.createObjectStore('runs');
          db.createObjectStore('checkpoints');
        },
      });
      return new ProjectStore(db, notice);
    } catch (err) {
      throw storageError(err, 'your work');
    }
  }

  close(): void {
    this.db.close();
  }

  private async write(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      throw storageError(err, what);
    }
  }

  putContext(context: SavedContext): Promise<void> {
    return this.write('the experiment', () => this.db.put('context', context, 'current'));
  }

  async getContext(): Promise<SavedContext | null> {
    const c = await this.db.get('context', 'current');
    return c != null && savedContextProblem(c) == null ? c : null;
  }

  /** Stores a finished run and drops its checkpoint, in one transaction. */
  putRun(run: SavedRun): Promise<void> {
    const id = savedRunId(run);
    return this.write(`the result of ${id}`, async () => {
      const tx = this.db.transaction(['runs', 'checkpoints'], 'readwrite');
      await Promise.all([tx.objectStore('runs').put(run, id), tx.objectStore('checkpoints').delete(id), tx.done]);
    });
  }

  putCheckpoint(info: InterruptedRun, bytes: Uint8Array): Promise<void> {
    const id = savedRunId(info);
    return this.write(`the checkpoint of ${id} after epoch ${info.epoch}`, () =>
      this.db.put('checkpoints', { info, bytes }, id),
    );
  }

  /** The checkpoint of a run, decoded; null when none is stored; throws CorruptCheckpointError when damaged. */
  async getCheckpoint(key: {
    modelId: string;
    seed: number;
  }): Promise<{ info: InterruptedRun; checkpoint: TrainCheckpoint } | null> {
    const id = savedRunId(key);
    const entry = await this.db.get('checkpoints', id);
    if (!entry) return null;
    return { info: entry.info, checkpoint: decodeCheckpoint(entry.bytes, `the checkpoint of ${id}`) };
  }

  deleteCheckpoint(key: { modelId: string; seed: number }): Promise<void> {
    return this.write('the checkpoint', () => this.db.delete('checkpoints', savedRunId(key)));
  }

  /** Drops saved runs and checkpoints (a new experiment on other data or settings replaces them). */
  clearRuns(): Promise<void> {
    return this.write('the change', async () => {
      const tx = this.db.transaction(['runs', 'checkpoints'], 'readwrite');
      await Promise.all([tx.objectStore('runs').clear(), tx.objectStore('checkpoints').clear(), tx.done]);
    });
  }

  /** Every stored checkpoint as its bytes (for a project file), undecoded; unreadable entries are left out. */
  async checkpointEntries(): Promise<{ info: InterruptedRun; bytes: Uint8Array }[]> {
    return (await this.db.getAll('checkpoints')).filter((c) => c?.info != null && c.bytes instanceof Uint8Array);
  }

  /**
   * Replaces the saved project with `context`, `runs` and `checkpoints` (an opened project file), in ONE transaction:
   * a quota error leaves the previous project whole.
   */
  replaceProject(
    context: SavedContext,
    runs: readonly SavedRun[],
    checkpoints: readonly { info: InterruptedRun; bytes: Uint8Array }[],
  ): Promise<void> {
    return this.write('the opened project', async () => {
      const tx = this.db.transaction(['context', 'runs', 'checkpoints'], 'readwrite');
      await allOrNothing(tx, (writes) => {
        writes.push(
          tx.objectStore('runs').clear(),
          tx.objectStore('checkpoints').clear(),
          tx.objectStore('context').put(context, 'current'),
        );
        for (const run of runs) writes.push(tx.objectStore('runs').put(run, savedRunId(run)));
        for (const c of checkpoints) writes.push(tx.objectStore('checkpoints').put(c, savedRunId(c.info)));
      });
    });
  }

  /** Empties the whole store ("Clear stored data"). */
  clear(): Promise<void> {
    return this.write('the change', async () => {
      const tx = this.db.transaction(['meta', 'context', 'runs', 'checkpoints'], 'readwrite');
      await Promise.all([
        ...(['meta', 'context', 'runs', 'checkpoints'] as const).map((s) => tx.objectStore(s).clear()),
        tx.done,
      ]);
    });
  }

  /**
   * Everything saved, each entry checked. Entries that cannot be read are left out and named in `problems` (as is a
   * store cleared because an older version wrote it). Null when nothing is saved.
   */
  async load(): Promise<SavedProject | null> {
    const problems: string[] = this.notice ? [this.notice] : [];
    this.notice = null;
    const rawContext = await this.db.get('context', 'current');
    const contextProblem = rawContext == null ? null : savedContextProblem(rawContext);
    if (contextProblem)
      problems.push(`The saved experiment could not be read (${contextProblem}); its results are not shown.`);
    const context = rawContext != null && contextProblem == null ? rawContext : null;
    const runs: SavedRun[] = [];
    const tx = this.db.transaction(['runs', 'checkpoints'], 'readonly');
    let cursor = await tx.objectStore('runs').openCursor();
    while (cursor) {
      const problem = savedRunProblem(cursor.value);
      if (problem)
        problems.push(`The saved result ${String(cursor.key)} could not be read (${problem}) and is not shown.`);
      else if (context) runs.push(cursor.value);
      cursor = await cursor.continue();
    }
    const interrupted: InterruptedRun[] = [];
    let cp = await tx.objectStore('checkpoints').openCursor();
    while (cp) {
      const info = cp.value?.info;
      if (info == null || typeof info.modelId !== 'string' || !(cp.value.bytes instanceof Uint8Array)) {
        problems.push(`The saved checkpoint ${String(cp.key)} could not be read and cannot be resumed.`);
      } else {
        interrupted.push(info);
      }
      cp = await cp.continue();
    }
    await tx.done;
    if (!context && runs.length === 0 && interrupted.length === 0 && problems.length === 0) return null;
    return { context, runs, interrupted, problems };
  }

  /** Bytes held (weights, probabilities and checkpoints; JSON-ish parts counted roughly). */
  async bytes(): Promise<number> {
    let total = 0;
    for (const run of await this.db.getAll('runs')) {
      total +=
        run.probabilities.byteLength +
        run.labels.byteLength +
        (run.files ? run.files.weights.byteLength + run.files.modelJson.length : 0);
      total += JSON.stringify(run.record).length;
    }
    for (const cp of await this.db.getAll('checkpoints')) total += cp.bytes.byteLength;
    const context = await this.db.get('context', 'current');
    if (context) total += JSON.stringify(context).length;
    return total;
  }
}

export { CorruptCheckpointError };
