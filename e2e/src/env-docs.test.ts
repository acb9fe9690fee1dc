import { readFileSync } from 'node:fs';
import { unpadded } from '@bucket-events/config';
import { describe, expect, it } from 'vitest';
import { envSection, withEnvSection } from './env-docs.ts';

describe('generated environment tables', () => {
  it('list each variable once, with its default and meaning', () => {
    const section = envSection();
    expect(section.match(/\| `REDIS_URL` \|/g)).toHaveLength(1);
    expect(section).toContain('| `BUCKET_EVENTS_REDIS_DURABILITY` | `ack` |');
    expect(section).toContain('| `ROUTER_LOCK_MS` | `10000` |');
    expect(section).toContain('| `TARGET_BATCH_SIZE` | `500` |');
    expect(section).toContain('ingest 9100, router 9107, amqp 9101');
  });

  it('are up to date in the README (run `pnpm docs:env` after changing an env schema)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(unpadded(withEnvSection(readme))).toBe(unpadded(readme));
  });
});
