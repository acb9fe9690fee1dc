import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUND_PACING, pauseAfterRound } from './pacing.ts';

describe('pauseAfterRound', () => {
  const pacing = { lingerMs: 4, largeRoundRows: 8 };

  it('does not hold up the next round after a small one (low rates keep their latency)', () => {
    expect(pauseAfterRound(0, 200, pacing)).toBe(0);
    expect(pauseAfterRound(1, 200, pacing)).toBe(0);
    expect(pauseAfterRound(7, 200, pacing)).toBe(0);
  });

  it('waits after a large round, so the next one collects more rows', () => {
    expect(pauseAfterRound(8, 200, pacing)).toBe(4);
    expect(pauseAfterRound(199, 200, pacing)).toBe(4);
  });

  it('never waits after a full round: rows are already waiting', () => {
    expect(pauseAfterRound(200, 200, pacing)).toBe(0);
  });

  it('never waits when lingering is off', () => {
    expect(pauseAfterRound(50, 200, { ...pacing, lingerMs: 0 })).toBe(0);
  });

  it('lingers by default', () => {
    expect(pauseAfterRound(50, 200, DEFAULT_ROUND_PACING)).toBeGreaterThan(0);
  });
});
