import { describe, expect, it } from 'vitest';
import { TargetError } from './errors.ts';
import { decideAfterWrite, retryBackoffFactor } from './write-decision.ts';

describe('decideAfterWrite', () => {
  it('delivers every event of a batch the target confirmed', () => {
    expect(decideAfterWrite(3, { ok: true })).toEqual({
      kind: 'answered',
      delivered: [0, 1, 2],
      deadLettered: [],
      retried: [],
    });
  });

  it('dead-letters rejected events and retries the others that failed, delivering the rest', () => {
    const rejected = new TargetError('fatal', 'bad document');
    const busy = new TargetError('throttle', 'too many requests');
    const decision = decideAfterWrite(4, {
      ok: true,
      failures: new Map([
        [1, rejected],
        [3, busy],
      ]),
    });
    expect(decision).toEqual({
      kind: 'answered',
      delivered: [0, 2],
      deadLettered: [{ index: 1, error: rejected }],
      retried: [{ index: 3, error: busy }],
    });
  });

  it('dead-letters a lone event the target can never take, and splits a batch to find the bad one', () => {
    const error = new TargetError('fatal', 'invalid');
    expect(decideAfterWrite(1, { ok: false, error, classification: 'fatal' })).toEqual({
      kind: 'dead-letter-it',
    });
    expect(decideAfterWrite(5, { ok: false, error, classification: 'fatal' })).toEqual({
      kind: 'write-each-alone',
    });
  });

  it('pauses an unwell target, reconnecting only when the error says the connection is gone', () => {
    const error = new Error('ECONNRESET');
    expect(decideAfterWrite(2, { ok: false, error, classification: 'reconnect' })).toEqual({
      kind: 'target-unwell',
      classification: 'reconnect',
      reconnect: true,
    });
    expect(decideAfterWrite(2, { ok: false, error, classification: 'retry' })).toEqual({
      kind: 'target-unwell',
      classification: 'retry',
      reconnect: false,
    });
  });

  it('backs off four times as long after a throttle', () => {
    expect(retryBackoffFactor('throttle')).toBe(4);
    expect(retryBackoffFactor('retry')).toBe(1);
  });
});
