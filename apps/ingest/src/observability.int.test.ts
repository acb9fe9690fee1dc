// What operators and load balancers see of ingest: MinIO's health endpoints
// without credentials (ready only while Redis answers), and /metrics with S3
// requests by API and status, the outbox and the relay.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { metricSample, privateRedis, test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { eventually, startTestIngest } from '../test/harness.ts';

const HEALTH = ['/minio/health/live', '/minio/health/ready', '/minio/health/cluster'] as const;

describe('ingest health and metrics', () => {
  test('health answers 200 without credentials, ready turns 503 while Redis is down, and no upload is lost', async ({
    redis,
  }) => {
    const own = await privateRedis();
    await own.start();
    const server = await startTestIngest(`redis://${own.address}`, redis.prefix.slice(0, -1), {
      metricsPort: 0,
      outboxStuckSeconds: 3600,
    });
    const status = async (path: string, method = 'GET') =>
      (await fetch(`${server.endpoint}${path}`, { method })).status;
    try {
      for (const path of HEALTH) expect(await status(path)).toBe(200);
      expect(await status('/minio/health/ready', 'HEAD')).toBe(200);
      const opsUrl = `http://127.0.0.1:${server.ingest.metricsPort}`;
      expect((await fetch(`${opsUrl}/readyz`)).status).toBe(200);
      await server.s3.send(new CreateBucketCommand({ Bucket: 'health' }));

      await own.stop();
      await eventually(async () => ((await status('/minio/health/ready')) === 503 ? true : undefined));
      expect(await status('/minio/health/cluster')).toBe(503);
      expect(await status('/minio/health/live')).toBe(200);
      expect((await fetch(`${opsUrl}/readyz`)).status).toBe(503);
      // Uploads are still accepted: their events wait in the outbox until Redis is back.
      await server.s3.send(new PutObjectCommand({ Bucket: 'health', Key: 'while-down', Body: 'x' }));
      const waiting = await (await fetch(`${opsUrl}/metrics`)).text();
      expect(metricSample(waiting, 'bucket_events_outbox_rows')).toBeGreaterThan(0);
      expect(metricSample(waiting, 'bucket_events_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);

      await own.start();
      await eventually(
        async () => ((await status('/minio/health/ready')) === 200 ? true : undefined),
        15_000,
      );
      const drained = await eventually(async () => {
        const text = await (await fetch(`${opsUrl}/metrics`)).text();
        return metricSample(text, 'bucket_events_outbox_rows') === 0 ? text : undefined;
      }, 15_000);
      expect(metricSample(drained, 'bucket_events_relay_failures_total')).toBeGreaterThan(0);
    } finally {
      await server.stop();
      await own.remove();
    }
  });

  test('/metrics counts S3 requests by API and status, and the relay moving the outbox', async ({
    redis,
  }) => {
    const server = await startTestIngest(redis.url, redis.prefix.slice(0, -1), { metricsPort: 0 });
    const metricsUrl = `http://127.0.0.1:${server.ingest.metricsPort}/metrics`;
    try {
      await server.s3.send(new CreateBucketCommand({ Bucket: 'observed' }));
      for (let i = 0; i < 3; i++)
        await server.s3.send(new PutObjectCommand({ Bucket: 'observed', Key: `k${i}`, Body: 'x' }));
      // Unsigned: refused before any operation runs, still counted under its API.
      expect((await fetch(`${server.endpoint}/observed/k0`, { method: 'PUT', body: 'x' })).status).toBe(403);
      const scrape = await eventually(async () => {
        const text = await (await fetch(metricsUrl)).text();
        return metricSample(text, 'bucket_events_relay_records_total') === 3 ? text : undefined;
      });
      expect(metricSample(scrape, 'bucket_events_s3_requests_total{api="PutObject",status="200"}')).toBe(3);
      expect(metricSample(scrape, 'bucket_events_s3_requests_total{api="CreateBucket",status="200"}')).toBe(
        1,
      );
      expect(metricSample(scrape, 'bucket_events_s3_requests_total{api="PutObject",status="403"}')).toBe(1);
      expect(metricSample(scrape, 'bucket_events_s3_request_duration_seconds_count{api="PutObject"}')).toBe(
        4,
      );
      expect(metricSample(scrape, 'bucket_events_outbox_rows')).toBe(0);
      expect(metricSample(scrape, 'bucket_events_outbox_oldest_age_seconds')).toBe(0);
      expect(metricSample(scrape, 'bucket_events_relay_lag_seconds_count')).toBeGreaterThan(0);
      expect(scrape).toMatch(/^bucket_events_build_info\{service="ingest"/m);
      // Health requests are not S3 requests.
      await fetch(`${server.endpoint}/minio/health/live`);
      const after = await (await fetch(metricsUrl)).text();
      expect(after).not.toContain('api="Unknown"');
    } finally {
      await server.stop();
    }
  });
});
