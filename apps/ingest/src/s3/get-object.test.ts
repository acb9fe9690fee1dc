import { describe, expect, it } from 'vitest';
import { parseRange } from './get-object.ts';

describe('parseRange', () => {
  it.each([
    ['bytes=0-0', { start: 0, end: 0 }],
    ['bytes=2-', { start: 2, end: 9 }],
    ['bytes=-3', { start: 7, end: 9 }],
    ['bytes=-30', { start: 0, end: 9 }],
    ['bytes=5-100', { start: 5, end: 9 }],
    ['bytes=5-3', undefined],
    ['bytes=0-1,3-4', undefined],
    ['items=0-1', undefined],
    [undefined, undefined],
  ])('%s on 10 bytes', (header, expected) => {
    expect(parseRange(header, 10)).toEqual(expected);
  });

  it('refuses a start past the end with InvalidRange', () => {
    expect(() => parseRange('bytes=10-', 10)).toThrow(
      expect.objectContaining({ code: 'InvalidRange', status: 416 }),
    );
    expect(() => parseRange('bytes=-0', 10)).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
  });
});
