// Benchmark (not a test): how long commits hold the event loop, with SQLite's
// own checkpoint on commit (every 1,000 WAL frames) against the background
// Checkpointer. Commits look like ingest's under load: each writes two objects'
// rows, their 4 KiB inline bytes and outbox rows, then the relay deletes the
// rows it took. Prints the commit-time distribution per mode.
//
//   node --import tsx bench/checkpoint-stalls.ts [--seconds 15] [--pause-ms 4]
//   (--pause-ms 0: commits back to back, as fast as they go)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Checkpointer } from '../src/storage/checkpointer.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    'pause-ms': { type: 'string', default: '4' },
  },
});
const seconds = Number(values.seconds);
const pauseMs = Number(values['pause-ms']);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(mode: 'on-commit' | 'background') {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoint-stalls-'));
  const file = join(dir, 'metadata.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE objects (bucket TEXT, key TEXT, meta TEXT, PRIMARY KEY (bucket, key)) WITHOUT ROWID;
    CREATE TABLE inline_data (name TEXT PRIMARY KEY, data BLOB);
    CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT)`);
  const checkpointer =
    mode === 'background' ? new Checkpointer(db, file, pino({ level: 'silent' })) : undefined;
  const upsert = db.prepare('INSERT OR REPLACE INTO objects VALUES (?, ?, ?)');
  const inline = db.prepare('INSERT INTO inline_data VALUES (?, ?)');
  const outbox = db.prepare('INSERT INTO outbox (payload) VALUES (?)');
  const relayed = db.prepare('DELETE FROM outbox WHERE id <= ?');
  const bytes = Buffer.alloc(4096, 7);
  const meta = 'm'.repeat(300);
  const payload = 'p'.repeat(600);
  let objects = 0;
  const commit = db.transaction(() => {
    for (let i = 0; i < 2; i++) {
      objects += 1;
      upsert.run('photos', `c${objects % 32}/img-${objects}.jpg`, meta);
      inline.run(`inline:${objects}`, bytes);
      outbox.run(payload);
    }
  });
  const times: number[] = [];
  let longestLog = 0;
  const cpu = process.cpuUsage();
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const start = process.hrtime.bigint();
    commit();
    relayed.run(objects);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (times.length % 100 === 0) longestLog = Math.max(longestLog, statSync(`${file}-wal`).size);
    await pause(pauseMs);
  }
  const used = process.cpuUsage(cpu);
  await checkpointer?.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  const at = (p: number) => Number((times[Math.floor(p * times.length)] ?? 0).toFixed(2));
  return {
    mode,
    commits: times.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    p999Ms: at(0.999),
    maxMs: Number((times.at(-1) ?? 0).toFixed(2)),
    over2Ms: times.filter((ms) => ms > 2).length,
    // The whole process's (both threads') CPU per commit.
    cpuMsPerCommit: Number(((used.user + used.system) / 1000 / times.length).toFixed(3)),
    longestLogMiB: Number((longestLog / 2 ** 20).toFixed(1)),
  };
}

const results = [await measure('on-commit'), await measure('background')];
console.log(`commit times, ${seconds} s per mode, ${pauseMs} ms between commits`);
console.table(results);
console.log(JSON.stringify(results));
