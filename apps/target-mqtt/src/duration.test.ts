import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it("reads Go's durations and legacy nanoseconds, in milliseconds", () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('')).toBe(0);
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(5_000_000_000)).toBe(5000);
  });

  it('refuses what is not a duration', () => {
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('10 seconds')).toBeUndefined();
    expect(parseDuration('s10')).toBeUndefined();
  });
});
