// When the relay starts its next round. Each round is one job on the mutations
// queue, and every job costs the same fixed work all the way down the pipeline
// (a Redis script to add it, a take and a completion at the router, the same
// again at each target, a SQLite transaction here), whatever its size. Rounds
// go out as soon as the previous one is done, so at high rates they stay small
// (a few rows each: the rows committed during one Redis round trip) and that
// fixed work dominates. A round that was large shows a high rate: the next one
// waits a few milliseconds to collect more. A small round never waits, so at
// low rates an event is not held up; a full round never waits either, as rows
// are already waiting.

export interface RoundPacing {
  /** How long to wait after a large round; 0 never waits. */
  lingerMs: number;
  /** A round of at least this many rows is large. */
  largeRoundRows: number;
}

export const DEFAULT_ROUND_PACING: RoundPacing = { lingerMs: 4, largeRoundRows: 8 };

/** The wait (ms) before the round after one of `rows` rows, with at most `batchSize` in a round. */
export function pauseAfterRound(rows: number, batchSize: number, pacing: RoundPacing): number {
  if (pacing.lingerMs <= 0 || rows < pacing.largeRoundRows || rows >= batchSize) return 0;
  return pacing.lingerMs;
}
