// The whole pipeline on the real Redis: ingest → outbox → router → target
// queue → a test target built on the kit. 10,000 mixed PUT/DELETE mutations
// over 200 keys arrive complete and per-key ordered, while the router is
// SIGKILLed and restarted twice.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { runTarget } from '@bucket-events/target-kit';
import { buildConfig } from '@bucket-events/targets';
import { test } from '@bucket-events/testing';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { eventsByKey, orderViolation, putEvent } from '../../../packages/target-kit/test/jobs.ts';
import { RecordingSink } from '../../../packages/target-kit/test/recording-sink.ts';
import {
  ACCESS_KEY,
  eventually,
  freePort,
  SECRET_KEY,
  TEST_CONFIG_DOCUMENT,
} from '../../ingest/test/harness.ts';
import { spawnRouter } from '../test/spawn-router.ts';

const KEYS = Number(process.env.E2E_KEYS ?? 200);
const OPS_PER_KEY = Number(process.env.E2E_OPS_PER_KEY ?? 50);

describe('ingest → router → target kit', () => {
  test('10,000 mutations over 200 keys arrive complete and per-key ordered through two router crashes', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const dir = mkdtempSync(join(tmpdir(), 'e2e-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(TEST_CONFIG_DOCUMENT));
    // Ingest and router run as their own processes, as in production; the test target runs here.
    const port = await freePort();
    const ingest = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: new URL('../../ingest/', import.meta.url).pathname,
      env: {
        ...process.env,
        HOME: dir,
        MINIO_ADDRESS: `127.0.0.1:${port}`,
        BUCKET_EVENTS_DATA_DIR: join(dir, 'data'),
        BUCKET_EVENTS_FSYNC: 'false',
        REDIS_URL: redis.url,
        BUCKET_EVENTS_QUEUE_PREFIX: prefix,
        BUCKET_EVENTS_CONFIG: join(dir, 'config.json'),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) ? true : undefined),
      20_000,
    );
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    });
    const t = { s3 };
    const config = buildConfig(TEST_CONFIG_DOCUMENT, {}, 'test');
    const redisTarget = config.targets.find((target) => target.kind === 'redis');
    if (!redisTarget) throw new Error('test config lacks the redis target');
    const sink = new RecordingSink();
    const consumer = await runTarget({
      target: redisTarget,
      sink,
      redisUrl: redis.url,
      prefix,
      log: pino({ level: 'silent' }),
      lockMs: 3000,
    });
    const launchRouter = (): ChildProcess =>
      spawnRouter({ redisUrl: redis.url, prefix, configPath: join(dir, 'config.json') });
    let router = launchRouter();
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'stream' }));
      await t.s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'stream',
          NotificationConfiguration: {
            QueueConfigurations: [
              { QueueArn: redisTarget.arn, Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] },
            ],
          },
        }),
      );
      // Each key's operations run in order (a DELETE always follows a PUT); keys run concurrently.
      let nextKey = 0;
      const writers = Array.from({ length: 24 }, async () => {
        for (let k = nextKey++; k < KEYS; k = nextKey++) {
          for (let op = 0; op < OPS_PER_KEY; op++) {
            const Key = `obj-${k}`;
            if (op % 5 === 4) await t.s3.send(new DeleteObjectCommand({ Bucket: 'stream', Key }));
            else await t.s3.send(new PutObjectCommand({ Bucket: 'stream', Key, Body: `${k}:${op}` }));
          }
        }
      });
      const writing = Promise.all(writers);
      const progress = setInterval(
        () => process.env.E2E_PROGRESS && console.log('delivered', sink.delivered.length),
        2000,
      );
      for (let kill = 1; kill <= 2; kill++) {
        await eventually(
          // Kill while routing is in full swing: after a tenth, then after a third of the events.
          async () =>
            sink.delivered.length > (KEYS * OPS_PER_KEY * (kill === 1 ? 1 : 3.3)) / 10 ? true : undefined,
          180_000,
        );
        const exited = new Promise((resolve) => router.once('exit', resolve));
        router.kill('SIGKILL');
        await exited;
        router = launchRouter();
      }
      await writing;
      clearInterval(progress);
      // Every acknowledged mutation (each key's DELETE followed a PUT, so all were real) reaches
      // the target: one sequencer each, the first deliveries in per-key order.
      const acknowledged = KEYS * OPS_PER_KEY;
      await eventually(
        async () => (new Set(sink.delivered.map((j) => j.sequencer)).size >= acknowledged ? true : undefined),
        180_000,
      );

      const first = new Map<string, (typeof sink.delivered)[number]>();
      for (const job of sink.delivered) if (!first.has(job.sequencer)) first.set(job.sequencer, job);
      expect(first.size).toBe(acknowledged);
      expect(orderViolation([...first.values()])).toBeUndefined();
      // Each key's events, in sequencer order, are the very writes: a PUT told by its ETag.
      const written = new Map<string, string[]>();
      for (let k = 0; k < KEYS; k++)
        written.set(
          `obj-${k}`,
          Array.from({ length: OPS_PER_KEY }, (_, op) => (op % 5 === 4 ? 'delete' : putEvent(`${k}:${op}`))),
        );
      const inSequencerOrder = [...first.values()].sort((a, b) => (a.sequencer < b.sequencer ? -1 : 1));
      expect(eventsByKey(inSequencerOrder)).toEqual(written);
      console.log(
        `delivered ${sink.delivered.length} events (${sink.delivered.length - first.size} duplicates) for ${acknowledged} mutations`,
      );
    } finally {
      router.kill('SIGKILL');
      ingest.kill('SIGTERM');
      s3.destroy();
      await consumer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
