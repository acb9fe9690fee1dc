// The router's metrics and heartbeat as operators read them: the leader says 1,
// a standby 0; routed mutations, events per target and rule misses are
// counted; the heartbeat names the leader.
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { type RouterHeartbeat, routerHeartbeatKey } from '@bucket-events/contracts';
import { buildConfig } from '@bucket-events/targets';
import { createProcessRegistry, readLiveHeartbeats } from '@bucket-events/telemetry';
import { metricSample, test } from '@bucket-events/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { eventually, startTestIngest, TEST_CONFIG_DOCUMENT } from '../../ingest/test/harness.ts';
import { startRouter } from './service.ts';

const KAFKA = 'arn:minio:sqs:us-east-1:1:kafka';

describe('router metrics', () => {
  test('leader and standby, routed mutations, events per target and rule misses', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const ingest = await startTestIngest(redis.url, prefix);
    const config = buildConfig(TEST_CONFIG_DOCUMENT, {}, 'test');
    const start = () => {
      const registry = createProcessRegistry('router');
      const router = startRouter({
        config,
        redisUrl: redis.url,
        prefix,
        eventSource: 'aws:s3',
        deploymentId: 'test',
        concurrency: 8,
        log: pino({ level: 'silent' }),
        lockMs: 2000,
        registry,
      });
      return { router, registry };
    };
    const first = start();
    await first.router.leading;
    const second = start();
    const client = new Redis(redis.url);
    try {
      expect(metricSample(await first.registry.metrics(), 'bucket_events_router_leader')).toBe(1);
      expect(metricSample(await second.registry.metrics(), 'bucket_events_router_leader')).toBe(0);
      const beats = await eventually(async () => {
        const live = await readLiveHeartbeats<RouterHeartbeat>(client, routerHeartbeatKey(prefix));
        return live.length === 2 ? live : undefined;
      });
      expect(beats.filter((beat) => beat.leader)).toHaveLength(1);

      await ingest.s3.send(new CreateBucketCommand({ Bucket: 'metered' }));
      await ingest.s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'metered',
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                QueueArn: KAFKA,
                Events: ['s3:ObjectCreated:*'],
                Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jpg' }] } },
              },
            ],
          },
        }),
      );
      for (const key of ['a.jpg', 'b.jpg', 'c.txt'])
        await ingest.s3.send(new PutObjectCommand({ Bucket: 'metered', Key: key, Body: 'x' }));
      const scrape = await eventually(async () => {
        const text = await first.registry.metrics();
        return metricSample(text, 'bucket_events_router_mutations_total') === 3 ? text : undefined;
      });
      expect(metricSample(scrape, `bucket_events_router_events_total{target="${KAFKA}"}`)).toBe(2);
      expect(metricSample(scrape, 'bucket_events_router_rule_misses_total')).toBe(1);
      expect(metricSample(scrape, 'bucket_events_router_lag_seconds_count')).toBe(3);
      expect(metricSample(await second.registry.metrics(), 'bucket_events_router_mutations_total')).toBe(0);
    } finally {
      client.disconnect();
      await first.router.close();
      await second.router.close();
      await ingest.stop();
    }
  });
});
