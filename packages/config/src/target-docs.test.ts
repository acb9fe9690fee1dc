import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { targetKeyTable, unpadded, withTargetKeysSection } from './target-docs.ts';

describe('generated target key tables', () => {
  it('document every key with its type, default and meaning', () => {
    const table = targetKeyTable('amqp');
    expect(table).toContain(
      '| `exchange` | string | `""` | Exchange to publish to (declared once per connection). |',
    );
    expect(table).toContain('| `deliveryMode` | 0 \\| 1 \\| 2 | `2` |');
    expect(targetKeyTable('kafka')).toContain('| `brokers` | string[] | `[]` |');
    expect(targetKeyTable('nats')).toMatch(/\| `jetstream` \| [^|]*boolean/);
  });

  it('are up to date in the README (run `pnpm docs:targets` after changing a schema)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(unpadded(withTargetKeysSection(readme))).toBe(unpadded(readme));
  });
});
