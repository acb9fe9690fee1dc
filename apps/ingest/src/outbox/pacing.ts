// When the relay starts its next round. Each round is one job on the mutations
// queue, and every job costs the same fixed work all the way down the pipeline
// (a Redis script to add it, a take and a completion at the router, the same
// again at each target, a SQLite transaction here), whatever its size. Rounds
// go out as soon as the previous one is done, so at high rates they stay small
// (the rows committed during one Redis round trip) and that fixed work
// dominates. While the rate is high, the next round waits a few milliseconds to
// collect more rows. The rate is taken over a trailing window, not from one
// round, so the burst after a stall at a low rate is not held up further; and a
// full round never waits, as rows are already waiting.

export interface RoundPacing {
  /** How long a round waits while the rate is high; 0 never waits. */
  lingerMs: number;
  /** The rate (rows/s, over the window) from which rounds wait. */
  lingerFromRowsPerSecond: number;
  /** The trailing window the rate is measured over (ms). */
  windowMs: number;
}

export const DEFAULT_ROUND_PACING: RoundPacing = {
  lingerMs: 8,
  lingerFromRowsPerSecond: 1000,
  windowMs: 250,
};

export class RoundPacer {
  /** Rounds within the window: when each ended and its rows. */
  private rounds: { at: number; rows: number }[] = [];
  private rowsInWindow = 0;

  constructor(
    private readonly pacing: RoundPacing,
    private readonly batchSize: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records a round of `rows` rows that just went out; returns the wait (ms) before the next. */
  afterRound(rows: number): number {
    const now = this.now();
    this.rounds.push({ at: now, rows });
    this.rowsInWindow += rows;
    while ((this.rounds[0]?.at ?? now) <= now - this.pacing.windowMs) {
      this.rowsInWindow -= (this.rounds.shift() as { rows: number }).rows;
    }
    if (this.pacing.lingerMs <= 0 || rows >= this.batchSize) return 0;
    const rate = (this.rowsInWindow * 1000) / this.pacing.windowMs;
    return rate >= this.pacing.lingerFromRowsPerSecond ? this.pacing.lingerMs : 0;
  }
}
