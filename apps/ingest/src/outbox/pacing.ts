// When the relay starts its next round. Each round is one job on the mutations
// queue, and every job costs the same fixed work all the way down the pipeline
// (a Redis script to add it, a take and a completion at the router, the same
// again at each target, a SQLite transaction here), whatever its size. Rounds
// go out as soon as the previous one is done, so they stay small (the rows
// committed during one Redis round trip) and that fixed work dominates: at 500
// PUT/s nearly every PUT was a job of its own, and the eight processes' wake-ups
// kept the two cores ~90 % busy, which is what made the latency tail. So at high
// rates the next round waits a little to collect more rows. (A shorter wait from
// a moderate rate on paid for itself once; since jobs coalesce downstream it only
// adds latency, and it is gone.) The rate is taken over a trailing window, not from one
// round, so the burst after a stall at a low rate is not held up further; and a
// full round never waits, as rows are already waiting.

export interface LingerStep {
  /** The rate (rows/s, over the window) from which this step applies. */
  fromRowsPerSecond: number;
  /** How long a round waits at this step. */
  lingerMs: number;
}

export interface RoundPacing {
  /** Ascending by rate; the highest step the rate reaches applies. None: rounds never wait. */
  steps: readonly LingerStep[];
  /** The trailing window the rate is measured over (ms). */
  windowMs: number;
}

/**
 * 8 ms above 1,000 rows/s makes the jobs big enough under full load that per-job work stops
 * mattering. Below that rounds never wait: at 500 PUT/s the 2 ms step there was until 2026-12-06
 * cost 1 ms of PUT → event p50 and 2–3 ms of p99 for no saturated PUT/s (docs/benchmarks.md).
 */
export const DEFAULT_ROUND_PACING: RoundPacing = {
  steps: [{ fromRowsPerSecond: 1000, lingerMs: 8 }],
  windowMs: 250,
};

/** The pacing with its top step's wait set to `lingerMs`; 0 turns waiting off. */
export function withTopLinger(pacing: RoundPacing, lingerMs: number): RoundPacing {
  if (lingerMs <= 0) return { ...pacing, steps: [] };
  const steps = pacing.steps.map((step, i) => (i === pacing.steps.length - 1 ? { ...step, lingerMs } : step));
  return { ...pacing, steps };
}

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
    if (rows >= this.batchSize) return 0;
    const rate = (this.rowsInWindow * 1000) / this.pacing.windowMs;
    let wait = 0;
    for (const step of this.pacing.steps) if (rate >= step.fromRowsPerSecond) wait = step.lingerMs;
    return wait;
  }
}
