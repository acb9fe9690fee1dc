import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUND_PACING, RoundPacer, withTopLinger } from './pacing.ts';

const pacing = {
  steps: [
    { fromRowsPerSecond: 200, lingerMs: 2 },
    { fromRowsPerSecond: 1000, lingerMs: 8 },
  ],
  windowMs: 250,
};

/** A pacer on a clock the test moves. */
function pacerAt(batchSize = 200) {
  const clock = { now: 0 };
  return { clock, pacer: new RoundPacer(pacing, batchSize, () => clock.now) };
}

describe('RoundPacer', () => {
  it('never holds up a round at a low rate (100 rows/s: one row every 10 ms)', () => {
    const { clock, pacer } = pacerAt();
    for (let i = 0; i < 100; i++) {
      clock.now += 10;
      expect(pacer.afterRound(1)).toBe(0);
    }
  });

  it('waits the short step at a moderate rate (500 rows/s: one row every 2 ms)', () => {
    const { clock, pacer } = pacerAt();
    const waits: number[] = [];
    for (let i = 0; i < 500; i++) {
      clock.now += 2;
      waits.push(pacer.afterRound(1));
    }
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0)); // the window fills first
    expect(waits.slice(-100).every((wait) => wait === 2)).toBe(true);
  });

  it('does not wait after the burst that follows a stall at a low rate', () => {
    const { clock, pacer } = pacerAt();
    for (let i = 0; i < 100; i++) {
      clock.now += 20;
      pacer.afterRound(1);
    }
    clock.now += 300; // a 300 ms stall at 50 rows/s: 15 rows waited meanwhile
    expect(pacer.afterRound(15)).toBe(0);
  });

  it('waits while the rate is high (3,000 rows/s), so rounds grow', () => {
    const { clock, pacer } = pacerAt();
    const waits: number[] = [];
    for (let i = 0; i < 200; i++) {
      clock.now += 2;
      waits.push(pacer.afterRound(6));
    }
    expect(waits.slice(-100).every((wait) => wait === 8)).toBe(true);
  });

  it('stops waiting once the rate falls (after the window)', () => {
    const { clock, pacer } = pacerAt();
    for (let i = 0; i < 200; i++) {
      clock.now += 2;
      pacer.afterRound(6);
    }
    clock.now += 300;
    expect(pacer.afterRound(1)).toBe(0);
  });

  it('never waits after a full round: rows are already waiting', () => {
    const { clock, pacer } = pacerAt(200);
    for (let i = 0; i < 10; i++) {
      clock.now += 5;
      expect(pacer.afterRound(200)).toBe(0);
    }
  });

  it('never waits when lingering is off', () => {
    const clock = { now: 0 };
    const pacer = new RoundPacer(withTopLinger(pacing, 0), 200, () => clock.now);
    for (let i = 0; i < 100; i++) {
      clock.now += 1;
      expect(pacer.afterRound(50)).toBe(0);
    }
  });

  it('lingers by default at high rates only', () => {
    const calm = { now: 0 };
    const moderate = new RoundPacer(DEFAULT_ROUND_PACING, 200, () => calm.now);
    for (let i = 0; i < 500; i++) {
      calm.now += 2; // 500 rows/s
      expect(moderate.afterRound(1)).toBe(0);
    }
    const clock = { now: 0 };
    const pacer = new RoundPacer(DEFAULT_ROUND_PACING, 200, () => clock.now);
    let wait = 0;
    for (let i = 0; i < 100; i++) {
      clock.now += 2;
      wait = pacer.afterRound(10);
    }
    expect(wait).toBeGreaterThan(0);
  });

  it('sets only the top step from the linger option', () => {
    expect(withTopLinger(pacing, 20).steps).toEqual([
      { fromRowsPerSecond: 200, lingerMs: 2 },
      { fromRowsPerSecond: 1000, lingerMs: 20 },
    ]);
  });
});
