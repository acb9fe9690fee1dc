// Group commit: commits of one event-loop turn share one outer transaction,
// and one that fails rolls back alone.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { atomicOn } from './atomic.ts';
import { CommitGroup } from './commit-group.ts';

describe('CommitGroup', () => {
  it("runs a turn's commits in one transaction; a failing one fails alone", async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const commit = (value: string, fail = false) =>
      db.transaction(() => {
        insert.run(value);
        if (fail) throw new Error(`refused ${value}`);
        return value;
      });
    const outer: boolean[] = [];
    const group = new CommitGroup(atomicOn(db));
    const results = await Promise.allSettled([
      group.run(() => {
        outer.push(db.inTransaction);
        return commit('a')();
      }),
      group.run(commit('b', true)),
      group.run(commit('c')),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'a',
      'refused b',
      'c',
    ]);
    expect(outer).toEqual([true]);
    expect(db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all()).toEqual(['a', 'c']);
    // The next turn is a new group.
    await group.run(commit('d'));
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(3);
    db.close();
  });
});
