// One transaction function per connection, made once (Metadata holds it; the
// commit group runs its groups through the same one). better-sqlite3's
// db.transaction(fn) builds four wrapper functions and defines their properties
// on every call; made per PUT, that was ~4 % of ingest's CPU under load (a CPU
// profile of the pipeline benchmark). The function made here takes the work as
// its argument instead, and nests as a savepoint like any transaction function.
import type Database from 'better-sqlite3';

/** Runs `work` in a transaction, or in a savepoint when one is already open; rolls back if it throws. */
export type Atomic = <T>(work: () => T) => T;

export function atomicOn(db: Database.Database): Atomic {
  return db.transaction((work: () => unknown) => work()) as Atomic;
}
