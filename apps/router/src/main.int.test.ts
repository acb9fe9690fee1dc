// The router process refuses to start on a broken configuration, listing every
// problem at once, and prints its ARNs when the configuration is good.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cwd = new URL('..', import.meta.url).pathname;

describe('router start-up', () => {
  it('exits non-zero on a broken config and lists all its errors without secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        notify: {
          kafka: { '1': { enable: true, brokers: [], topic: 'events' } },
          redis: { '1': { enable: true, address: '127.0.0.1:6379', password: 'hunter2', formt: 'access' } },
          amqp: { '1': { enable: true } },
        },
      }),
    );
    const result = await run(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--config', join(dir, 'config.json')],
      {
        cwd,
        env: { ...process.env, LOG_LEVEL: 'silent' },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('notify.kafka.1.brokers: expected a non-empty list');
    expect(result.stderr).toContain('notify.redis.1: unknown key "formt"');
    expect(result.stderr).toContain('notify.redis.1.key: required when the target is enabled');
    expect(result.stderr).toContain('notify.amqp.1.url: required when the target is enabled');
    expect(result.stderr).not.toContain('hunter2');
  }, 30_000);
});
