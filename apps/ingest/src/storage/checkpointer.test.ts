// Background checkpoints on a real SQLite file: under steady commits the log is
// still reset (it stays short), nothing committed is lost, and closing stops
// the worker's connection so the main one's close can remove the log.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer } from './checkpointer.ts';

const PAGE = 4096;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Checkpointer', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function open() {
    const dir = mkdtempSync(join(tmpdir(), 'checkpointer-'));
    dirs.push(dir);
    const file = join(dir, 'db.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // The log file is cut back at each reset (SQLite otherwise reuses it at its size), so its size shows the log's length.
    db.pragma('journal_size_limit = 0');
    db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    return { db, file };
  }

  it('keeps the log short under steady commits, without SQLite checkpointing on commit', async () => {
    const { db, file } = open();
    const checkpointer = new Checkpointer(db, file, pino({ level: 'silent' }), {
      intervalMs: 5,
      resetFromFrames: 50,
      fallbackFromFrames: 1_000_000,
    });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000_000);
    const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
    const blob = Buffer.alloc(PAGE, 7);
    let longestLog = 0;
    // ~3 frames a commit: 6,000 frames, 24 MB of log if it were never reset.
    for (let i = 0; i < 2000; i++) {
      insert.run(blob);
      longestLog = Math.max(longestLog, statSync(`${file}-wal`).size);
      if (i % 5 === 0) await pause(1);
    }
    expect(checkpointer.resets).toBeGreaterThan(0);
    expect(longestLog).toBeLessThan(3000 * PAGE);
    await checkpointer.close();
    db.close();
    // The worker's connection is closed too: the last one to close removes the log.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new Database(file, { readonly: true });
    expect(reopened.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(2000);
    reopened.close();
  });

  it('turns SQLite’s own checkpoint back on when the worker fails', async () => {
    const { db, file } = open();
    // A directory is no database: the worker's first checkpoint throws.
    const checkpointer = new Checkpointer(db, join(file, 'missing', 'db.sqlite'), pino({ level: 'silent' }));
    for (let i = 0; i < 200 && db.pragma('wal_autocheckpoint', { simple: true }) !== 1000; i++)
      await pause(10);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.close();
    db.close();
  });

  it('keeps the process alive while its close is awaited (the worker is unreferenced otherwise)', () => {
    const { db, file } = open();
    db.close();
    // Nothing else holds the child's event loop: an exit before the worker's would cut its shutdown short.
    const script = `
      import Database from 'better-sqlite3';
      import pino from 'pino';
      import { Checkpointer } from './src/storage/checkpointer.ts';
      const db = new Database(${JSON.stringify(file)});
      const checkpointer = new Checkpointer(db, ${JSON.stringify(file)}, pino({ level: 'silent' }));
      await checkpointer.close();
      db.close();
      console.log('closed');`;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url).pathname,
      encoding: 'utf8',
    });
    expect(output.trim()).toBe('closed');
  });
});
