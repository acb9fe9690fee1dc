import { describe, expect, it } from 'vitest';
import { filterPattern, matchSimple } from './wildcard.ts';

describe('filterPattern', () => {
  it.each([
    [[], '*'],
    [[{ name: 'prefix', value: 'images/' }], 'images/*'],
    [[{ name: 'suffix', value: '.jpg' }], '*.jpg'],
    [
      [
        { name: 'prefix', value: 'images/' },
        { name: 'suffix', value: '.jpg' },
      ],
      'images/*.jpg',
    ],
    [
      [
        { name: 'prefix', value: 'a*' },
        { name: 'suffix', value: '*b' },
      ],
      'a*b',
    ],
  ] as const)('%j → %s', (rules, pattern) => {
    expect(filterPattern([...rules])).toBe(pattern);
  });
});

describe('matchSimple (MinIO wildcard semantics)', () => {
  it.each([
    ['*', 'anything/at/all', true],
    ['images/*', 'images/a.jpg', true],
    ['images/*', 'images/', true],
    ['images/*', 'docs/a.jpg', false],
    ['*.jpg', 'deep/dir/photo.jpg', true],
    ['*.jpg', 'photo.jpeg', false],
    ['images/*.jpg', 'images/2024/a.jpg', true],
    ['images/*.jpg', 'images/a.png', false],
    // prefix and suffix cannot overlap: abc*cd does not match abcd (AWS would).
    ['abc*cd', 'abcd', false],
    ['abc*cd', 'abcxcd', true],
    // '?' is a wildcard for one character, and matches at the end of the key.
    ['a?c', 'abc', true],
    ['a?', 'a', true],
    ['a?c', 'ac', false],
    // case sensitive, code points not bytes
    ['Images/*', 'images/a', false],
    ['ü?.jpg', 'üx.jpg', true],
    ['a*b*c', 'a-b-c', true],
    ['a*b*c', 'a-c-b', false],
    ['', '', true],
    ['', 'x', false],
  ])('%s vs %s → %s', (pattern, name, expected) => {
    expect(matchSimple(pattern, name)).toBe(expected);
  });

  it('stays linear on pathological patterns (a backtracking matcher would not finish)', () => {
    expect(matchSimple(`${'*a'.repeat(30)}b`, 'a'.repeat(1000))).toBe(false);
  });
});
