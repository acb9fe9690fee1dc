// Property-based fuzzing (fast-check) of the rule matcher against a reference:
// MinIO's MatchSimple semantics written as a regular expression over code
// points. Any pattern, any key: the two agree, and nothing throws or hangs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterPattern, matchSimple } from './wildcard.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

/** `*` = any run (also empty, also `/`); `?` = exactly one code point. */
function reference(pattern: string, name: string): boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'su').test(name);
}

const alphabet = fc.constantFrom('a', 'b', '/', '.', 'é', '🙂', 'j', 'p', 'g');
const name = fc.array(alphabet, { maxLength: 12 }).map((chars) => chars.join(''));
const pattern = fc
  .array(fc.oneof(alphabet, fc.constant('*')), { maxLength: 8 })
  .map((chars) => chars.join(''));

describe('fuzzing the rule matcher', () => {
  it('agrees with the reference for prefix/suffix patterns (what rules produce)', () => {
    fc.assert(
      fc.property(name, name, name, (prefix, suffix, key) => {
        const rules = [
          ...(prefix ? [{ name: 'prefix' as const, value: prefix }] : []),
          ...(suffix ? [{ name: 'suffix' as const, value: suffix }] : []),
        ];
        const glob = filterPattern(rules);
        expect(matchSimple(glob, key)).toBe(reference(glob, key));
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees with the reference for arbitrary `*` patterns', () => {
    fc.assert(
      fc.property(pattern, name, (glob, key) => {
        expect(matchSimple(glob, key)).toBe(reference(glob, key));
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts every key a prefix+suffix rule names', () => {
    fc.assert(
      fc.property(name, name, name, (prefix, middle, suffix) => {
        const glob = filterPattern([
          { name: 'prefix', value: prefix },
          { name: 'suffix', value: suffix },
        ]);
        expect(matchSimple(glob, prefix + middle + suffix)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
