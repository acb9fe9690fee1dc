// The kit's readiness rule against a real Redis target server of the test's own:
// idle and connected is online (no write needed), the server stopping turns it
// offline within seconds through the idle probe, and back online once it returns.
import { targetArn, targetQueueName } from '@bucket-events/contracts';
import { runTarget } from '@bucket-events/target-kit';
import { eventually, privateRedis, test, uniqueName } from '@bucket-events/testing';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { RedisSink } from './sink.ts';

describe('redis target readiness', () => {
  test('idle: online without a write, offline within seconds of its server stopping, online again', async ({
    redis,
  }) => {
    const server = await privateRedis();
    await server.start();
    const id = uniqueName('ready');
    const target = { kind: 'redis' as const, id };
    const running = await runTarget({
      target: { ...target, arn: targetArn(target, 'us-east-1'), queue: targetQueueName(target) },
      sink: new RedisSink({
        address: server.address,
        password: '',
        user: '',
        key: 'events',
        format: 'access',
      }),
      redisUrl: redis.url,
      prefix: redis.prefix.slice(0, -1),
      log: pino({ level: 'silent' }),
      httpPort: 0,
      retryMaxMs: 1000,
    });
    const readyz = async () => (await fetch(`http://127.0.0.1:${running.httpPort}/readyz`)).status;
    try {
      await eventually(async () => ((await readyz()) === 200 ? true : undefined), {
        what: 'online while idle',
      });
      await server.stop();
      // The idle probe notices (every few seconds); a loaded machine may take longer.
      await eventually(async () => ((await readyz()) === 503 ? true : undefined), {
        what: 'offline after the server stopped',
        timeoutMs: 30_000,
      });
      expect(running.ready()).toBe(false);
      await server.start();
      await eventually(async () => ((await readyz()) === 200 ? true : undefined), {
        what: 'online again',
        timeoutMs: 20_000,
      });
    } finally {
      await running.close();
      await server.remove();
    }
  });
});
