import { describe, expect, it } from 'vitest';
import { backoffDelay, Lanes } from './lanes.ts';

describe('Lanes', () => {
  it('hands out one event per key at a time, in arrival order', () => {
    const lanes = new Lanes<string>();
    for (const [key, value] of [
      ['a', 'a1'],
      ['a', 'a2'],
      ['b', 'b1'],
      ['a', 'a3'],
    ]) {
      lanes.add(key as string, value as string, 0);
    }
    const first = lanes.take(10, 0);
    expect(first.map((i) => i.value)).toEqual(['a1', 'b1']);
    expect(lanes.take(10, 0)).toEqual([]);
    lanes.done(first[0] as never);
    expect(lanes.take(10, 0).map((i) => i.value)).toEqual(['a2']);
  });

  it('a retried head holds back its own key only, until its delay has passed', () => {
    const lanes = new Lanes<string>();
    lanes.add('a', 'a1', 0);
    lanes.add('a', 'a2', 0);
    lanes.add('b', 'b1', 0);
    const [a1, b1] = lanes.take(10, 0);
    lanes.retry(a1 as never, 100, 0);
    lanes.done(b1 as never);
    lanes.add('b', 'b2', 1);
    expect(lanes.take(10, 50).map((i) => i.value)).toEqual(['b2']);
    expect(lanes.nextDue()).toBe(100);
    expect(lanes.hasReady(99)).toBe(false);
    const again = lanes.take(10, 100);
    expect(again.map((i) => [i.value, i.attempts])).toEqual([['a1', 1]]);
    lanes.done(again[0] as never);
    expect(lanes.take(10, 100).map((i) => i.value)).toEqual(['a2']);
  });

  it('takes a solo item alone', () => {
    const lanes = new Lanes<string>();
    lanes.add('a', 'a1', 0);
    lanes.add('b', 'b1', 0);
    const [a1, b1] = lanes.take(10, 0);
    (a1 as { solo: boolean }).solo = true;
    lanes.retry(a1 as never, 0, 0);
    lanes.retry(b1 as never, 0, 0);
    expect(lanes.take(10, 0).map((i) => i.value)).toEqual(['a1']);
    expect(lanes.take(10, 0).map((i) => i.value)).toEqual(['b1']);
  });

  it('tracks size and the oldest pending event', () => {
    const lanes = new Lanes<string>();
    lanes.add('a', 'a1', 5);
    lanes.add('b', 'b1', 3);
    expect(lanes.size).toBe(2);
    expect(lanes.oldestEnqueuedAt()).toBe(3);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter between half and all of it', () => {
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(400);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(200);
    expect(backoffDelay(30, 100, 10_000, () => 1)).toBe(10_000);
  });
});
