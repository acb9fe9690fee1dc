// One readiness rule for a target — connected and not failing, written or not —
// seen the same through /readyz, bucket_events_target_up and the heartbeat the
// status page and `admin targets` read; an idle target that goes away is
// noticed by the kit's probe within a few seconds.
import { type TargetStatus, targetQueueName } from '@bucket-events/contracts';
import { createProcessRegistry } from '@bucket-events/telemetry';
import { eventually, test } from '@bucket-events/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { RecordingSink } from '../test/recording-sink.ts';
import { runTarget } from './run-target.ts';
import { type StatusTarget, TargetStatusReader } from './status.ts';

const log = pino({ level: 'silent' });

function testTarget(id: string) {
  const arn = `arn:minio:sqs:us-east-1:${id}:test`;
  return { kind: 'test', id, arn, queue: targetQueueName({ kind: 'test' as never, id }) };
}

describe('target readiness', () => {
  test('idle and connected is online everywhere; a target that goes away while idle turns offline, and back', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const target = testTarget('1');
    const client = new Redis(redis.url);
    const reader = new TargetStatusReader(client, { prefix, redisUrl: redis.url });
    const status = async () => (await reader.read([target as unknown as StatusTarget]))[0] as TargetStatus;
    const sink = new RecordingSink();
    const running = await runTarget({
      target,
      sink,
      redisUrl: redis.url,
      prefix,
      log,
      httpPort: 0,
      retryInitialMs: 20,
      retryMaxMs: 200,
      probeIntervalMs: 300,
    });
    const url = `http://127.0.0.1:${running.httpPort}`;
    const upSample = async () =>
      Number(
        /^bucket_events_target_up\{[^}]*\} (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1],
      );
    try {
      // Nothing was ever written: connected is enough.
      await eventually(async () => ((await status()).state === 'online' ? true : undefined));
      expect(sink.delivered).toEqual([]);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(await upSample()).toBe(1);
      expect(running.ready()).toBe(true);

      sink.unreachable = true;
      const probesBefore = sink.probes;
      await eventually(async () => ((await status()).state === 'offline' ? true : undefined), {
        timeoutMs: 5000,
      });
      expect(sink.probes).toBeGreaterThan(probesBefore);
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect(await upSample()).toBe(0);
      expect((await status()).lastError).toMatch(/connection refused/);

      sink.unreachable = false;
      await eventually(async () => ((await status()).state === 'online' ? true : undefined), {
        timeoutMs: 5000,
      });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(await upSample()).toBe(1);
    } finally {
      await running.close();
      await reader.close();
      client.disconnect();
    }
  });

  test('two targets in one process share one registry; every series names its target, kind and id', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const registry = createProcessRegistry('target-test');
    const [one, two] = [testTarget('1'), testTarget('2')];
    const options = { redisUrl: redis.url, prefix, log, registry, probeIntervalMs: 300 };
    const first = await runTarget({ ...options, target: one, sink: new RecordingSink() });
    const second = await runTarget({ ...options, target: two, sink: new RecordingSink() });
    try {
      // The backlog is read from Redis at scrape time: NaN until the status connection is up.
      const text = await eventually(async () => {
        const scraped = await registry.metrics();
        return scraped.includes('} Nan') ? undefined : scraped;
      });
      for (const t of [one, two]) {
        const labels = `{target="${t.arn}",kind="test",id="${t.id}"}`;
        expect(text).toContain(`bucket_events_delivered_total${labels} 0`);
        expect(text).toContain(`bucket_events_queue_depth${labels} 0`);
        expect(text).toMatch(new RegExp(`bucket_events_target_up${labels.replace(/[{}]/g, '\\$&')} [01]`));
      }
      expect(text).toContain('bucket_events_build_info{service="target-test"');
      await first.close();
      // A closed target's series go with it; the other's stay.
      const after = await registry.metrics();
      expect(after).not.toContain(`target="${one.arn}"`);
      expect(after).toContain(`bucket_events_delivered_total{target="${two.arn}",kind="test",id="2"} 0`);
    } finally {
      await first.close().catch(() => {});
      await second.close();
    }
  });
});
