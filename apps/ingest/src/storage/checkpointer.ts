// Checkpoints of SQLite's write-ahead log, moved off the event loop. With
// SQLite's own automatic checkpoint, the commit that crossed 1,000 WAL frames
// copied them into the database file and fsynced both files before returning:
// ~2 % of commits held the event loop for 2–20 ms, which answers and the
// outbox relay waited out (the tail of PUT → event latency). Here a worker
// thread, on a connection of its own, runs PASSIVE checkpoints (they never
// block a writer) every interval. A PASSIVE checkpoint cannot reset the log,
// though: under steady writes it never catches up with the last frame, and the
// file would grow without bound. So once the log is long and the worker has
// caught up with all but the frames of the last moments, the main connection
// runs one checkpoint itself: it copies only those few frames, and the next
// commit starts the log from its beginning again. SQLite's automatic
// checkpoint stays on at a much longer log, a bound should the worker stall.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';

export interface CheckpointerOptions {
  /** Milliseconds between the worker's checkpoints. */
  intervalMs: number;
  /** WAL frames (pages) from which the main connection finishes a caught-up checkpoint, resetting the log. */
  resetFromFrames: number;
  /** WAL frames at which SQLite's own checkpoint runs in the main connection (the bound should the worker stall). */
  fallbackFromFrames: number;
}

export const DEFAULT_CHECKPOINTER: CheckpointerOptions = {
  intervalMs: 200,
  resetFromFrames: 4000,
  fallbackFromFrames: 20_000,
};

/** What the worker reports after a checkpoint that left the log long but caught up. */
interface CaughtUp {
  type: 'caught-up';
  frames: number;
}

// The worker's source, evaluated (the app is bundled into one file, so there is
// no worker file to point at); better-sqlite3 is handed over by its resolved path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('wal_autocheckpoint = 0');
let timer;
const tick = () => {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  // log: frames in the WAL; checkpointed: frames copied into the database (-1: not in WAL mode).
  if (result && result.log >= workerData.resetFromFrames && result.checkpointed === result.log)
    parentPort.postMessage({ type: 'caught-up', frames: result.log });
  timer = setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
tick();
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly stopped: Promise<void>;
  /** Checkpoints the main connection ran to reset the log (for tests and diagnostics). */
  resets = 0;

  constructor(
    private readonly db: Database.Database,
    file: string,
    private readonly log: Logger,
    options: CheckpointerOptions = DEFAULT_CHECKPOINTER,
  ) {
    db.pragma(`wal_autocheckpoint = ${options.fallbackFromFrames}`);
    const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        sqlitePath,
        file,
        intervalMs: options.intervalMs,
        resetFromFrames: options.resetFromFrames,
      },
    });
    this.worker.on('message', (message: CaughtUp) => {
      if (message.type === 'caught-up' && db.open) this.reset();
    });
    this.stopped = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.once('error', (error) => {
      // Commits go on; SQLite's own checkpoint, in the main connection again, keeps the log short.
      log.error({ err: error }, 'background checkpoints stopped; checkpointing on commit again');
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    });
    // A store left open (a test, a failed start) must not keep the process alive.
    this.worker.unref();
  }

  private reset(): void {
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.resets += 1;
    } catch (error) {
      this.log.warn({ err: error }, 'checkpoint failed; the worker will try again');
    }
  }

  /** Stops the worker and closes its connection (before the main one closes, which then checkpoints the rest). */
  async close(): Promise<void> {
    // Unreferenced, the worker's exit alone would not keep the process alive while it is awaited.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.stopped;
  }
}
