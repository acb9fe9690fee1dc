// Acknowledged ⇒ evented, tested the hard way: ingest is SIGKILLed again and
// again while a client uploads, and Redis disappears in the middle of uploads.
// Afterwards every acknowledged upload is readable with its ETag and has
// exactly one raw mutation in BullMQ.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MUTATIONS_QUEUE, type MutationRecord } from '@bucket-events/contracts';
import { test } from '@bucket-events/testing';
import { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import {
  ACCESS_KEY,
  eventually,
  freePort,
  readMutationRecords,
  SECRET_KEY,
  startTestIngest,
} from '../test/harness.ts';

const APP_DIR = new URL('..', import.meta.url).pathname;

function s3For(port: number) {
  return new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
  });
}

async function waitForPort(port: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (open) return;
    if (Date.now() > deadline) throw new Error(`ingest did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('durability', () => {
  test('SIGKILL of ingest during uploads loses no acknowledged upload and duplicates no record', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const dataDir = mkdtempSync(join(tmpdir(), 'crash-'));
    const home = mkdtempSync(join(tmpdir(), 'crash-home-'));
    const port = await freePort();
    const env = {
      ...process.env,
      HOME: home,
      MINIO_ADDRESS: `127.0.0.1:${port}`,
      BUCKET_EVENTS_DATA_DIR: dataDir,
      REDIS_URL: redis.url,
      BUCKET_EVENTS_QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    };
    const start = async () => {
      // One process (no tsx wrapper), so SIGKILL hits the server itself.
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: APP_DIR,
        env,
        stdio: 'ignore',
      });
      await waitForPort(port);
      return child;
    };
    const acknowledged = new Map<string, string>();
    let child: ChildProcess = await start();
    const s3 = s3For(port);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'crash' }));
      let n = 0;
      for (let round = 0; round < 5; round++) {
        let stop = false;
        const uploader = (async () => {
          while (!stop) {
            const key = `obj-${n++}`;
            const body = randomBytes(1024 + (n % 7) * 512);
            try {
              const put = await s3.send(new PutObjectCommand({ Bucket: 'crash', Key: key, Body: body }));
              acknowledged.set(key, (put.ETag ?? '').replaceAll('"', ''));
              expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
            } catch {
              // The connection died with the process: not acknowledged, so no promise was made.
            }
          }
        })();
        // Killed once this round has had uploads acknowledged (not after a fixed time: on a loaded
        // machine a fixed time may see none), while the next ones are in flight.
        const before = acknowledged.size;
        while (acknowledged.size < before + 15 + round * 5)
          await new Promise((resolve) => setTimeout(resolve, 10));
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        stop = true;
        await uploader;
        child = await start();
      }
      expect(acknowledged.size).toBeGreaterThan(50);

      for (const [key, etag] of acknowledged) {
        const got = await s3.send(new GetObjectCommand({ Bucket: 'crash', Key: key }));
        await got.Body?.transformToByteArray();
        expect(got.ETag).toBe(`"${etag}"`);
      }
      const queue = new Queue(MUTATIONS_QUEUE, { prefix, connection: { url: redis.url } });
      try {
        const records = await eventually(async () => {
          const data = await readMutationRecords(queue);
          const keys = new Set(data.map((record) => record.key));
          return [...acknowledged.keys()].every((key) => keys.has(key)) ? data : undefined;
        }, 20_000);
        const perKey = new Map<string, MutationRecord[]>();
        for (const record of records) perKey.set(record.key, [...(perKey.get(record.key) ?? []), record]);
        for (const [key, etag] of acknowledged) {
          expect(perKey.get(key)?.map((r) => r.eTag)).toEqual([etag]);
        }
        // A record whose answer was lost with the process is allowed, but it must describe a stored object.
        for (const [key, list] of perKey) {
          expect(list).toHaveLength(1);
          if (!acknowledged.has(key)) {
            const got = await s3.send(new GetObjectCommand({ Bucket: 'crash', Key: key }));
            await got.Body?.transformToByteArray();
            expect(got.ETag).toBe(`"${list[0]?.eTag}"`);
          }
        }
        const sequencers = records.map((r) => r.sequencer);
        expect(new Set(sequencers).size).toBe(sequencers.length);
      } finally {
        await queue.close();
      }
    } finally {
      s3.destroy();
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);

  test('uploads acknowledged while Redis is down are relayed once it is back', async ({ redis }) => {
    // A private Redis, so stopping it does not disturb other tests.
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'redis-'));
    writeFileSync(
      join(dir, 'redis.conf'),
      `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nappendonly no\n`,
    );
    const startRedis = async () => {
      const server = spawn('redis-server', [join(dir, 'redis.conf')], { stdio: 'ignore' });
      await eventually(async () => (await fetchPing(port)) || undefined);
      return server;
    };
    let server = await startRedis();
    const redisUrl = `redis://127.0.0.1:${port}`;
    const t = await startTestIngest(redisUrl, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'outage' }));
      await t.s3.send(new PutObjectCommand({ Bucket: 'outage', Key: 'before', Body: 'x' }));
      await eventually(async () => ((await t.mutationRecords()).length === 1 ? true : undefined));

      server.kill('SIGKILL');
      await new Promise((resolve) => server.once('exit', resolve));
      for (let i = 0; i < 20; i++) {
        await t.s3.send(new PutObjectCommand({ Bucket: 'outage', Key: `during-${i}`, Body: `v${i}` }));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(t.ingest.store.outbox.outboxSize()).toBe(20);

      server = await startRedis();
      const records = await eventually(async () => {
        const all = await t.mutationRecords().catch(() => []);
        return all.length === 20 ? all : undefined;
      }, 20_000);
      // The restarted Redis kept nothing, so exactly the 20 records made while it was down arrive.
      expect(records.map((r) => r.key).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `during-${i}`).sort(),
      );
      expect(t.ingest.store.outbox.outboxSize()).toBe(0);
    } finally {
      await t.stop();
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

async function fetchPing(port: number): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
