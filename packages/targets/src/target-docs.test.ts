import { readFileSync } from 'node:fs';
import { targetKeyTable, unpadded, withTargetKeysSection } from '@bucket-events/config';
import { describe, expect, it } from 'vitest';
import { TARGET_OPTIONS } from './registry.ts';

describe('generated target key tables', () => {
  it('document every key with its type, default and meaning', () => {
    const table = targetKeyTable(TARGET_OPTIONS.amqp.schema);
    expect(table).toContain(
      '| `exchange` | string | `""` | Exchange to publish to (declared once per connection). |',
    );
    expect(table).toContain('| `deliveryMode` | 0 \\| 1 \\| 2 | `2` |');
    expect(targetKeyTable(TARGET_OPTIONS.kafka.schema)).toContain('| `brokers` | string[] | `[]` |');
    expect(targetKeyTable(TARGET_OPTIONS.nats.schema)).toMatch(/\| `jetstream` \| [^|]*boolean/);
  });

  it('are up to date in the README (run `pnpm docs:targets` after changing a schema)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(unpadded(withTargetKeysSection(readme, TARGET_OPTIONS))).toBe(unpadded(readme));
  });
});
