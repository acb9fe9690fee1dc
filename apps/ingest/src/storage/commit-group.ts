// Group commit. Each PUT committing its own SQLite transaction spent a quarter
// of ingest's time in COMMIT (WAL frames written per transaction). Commits
// asked for within one turn of the event loop instead run together: each in its
// own savepoint (better-sqlite3 nests a transaction function as one), so a
// failing one rolls back alone and fails only its own caller, inside one outer
// transaction committed once for all of them. Callers are answered in the order
// they asked, after the outer commit.
import type { Atomic } from './atomic.ts';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class CommitGroup {
  private queue: Pending[] = [];

  /** The connection's transaction function (Metadata#atomically): the group is its outer transaction. */
  constructor(private readonly atomically: Atomic) {}

  /** Runs `work` (work in a savepoint of the same connection, e.g. a Metadata commit) in the next group; resolves with its result once committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.atomically(() => {
        for (const { work } of batch) {
          try {
            outcomes.push({ ok: true, value: work() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The outer commit failed (disk full, I/O error): nothing of the group is stored.
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) resolve(outcome.value);
      else reject(outcome?.error);
    });
  }
}
