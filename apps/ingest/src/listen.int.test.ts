// ListenBucketNotification against a real ingest and Redis: the MinIO SDK's
// listener gets an upload's event within a second (filtered by suffix and event
// name), keep-alive lines flow, bad parameters get S3 errors, and a listener
// that stops reading holds up neither uploads nor other listeners.
import { request as httpRequest } from 'node:http';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { ACCESS_KEY, eventually, minioClient, SECRET_KEY, startTestIngest } from '../test/harness.ts';
import { errorCode, send, signedHeaders } from '../test/raw-requests.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

interface MinioRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer: string } };
}

/** A raw streaming listener: every line it received so far, and a way to stop reading or close. */
async function rawListener(endpoint: string, path: string) {
  const headers = await signedHeaders(endpoint, 'GET', path, EMPTY_SHA256, credentials);
  const lines: string[] = [];
  let buffered = '';
  return new Promise<{ lines: string[]; status: number; pause(): void; close(): void }>((resolve, reject) => {
    const req = httpRequest(new URL(path, endpoint), { method: 'GET', headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
          lines.push(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
        }
      });
      resolve({
        lines,
        status: res.statusCode ?? 0,
        pause: () => res.pause(),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ListenBucketNotification', () => {
  test('the MinIO SDK listener gets a matching upload, and nothing else', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    const client = minioClient(t.endpoint);
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
      const listener = client.listenBucketNotification('images', '', '.jpg', [
        's3:ObjectCreated:*',
        's3:ObjectRemoved:*',
      ]);
      const received: { record: MinioRecord }[] = [];
      listener.on('notification', (record) => {
        received.push({ record: record as MinioRecord });
      });
      // Registered means listening: from then on nothing is missed (how fast is for the benchmark).
      await eventually(async () => (t.ingest.liveListeners() === 1 ? true : undefined));
      await t.s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'my photo.jpg', Body: 'jpeg!' }));
      await eventually(async () => (received.length > 0 ? true : undefined));
      expect(received[0]?.record).toMatchObject({
        eventName: 's3:ObjectCreated:Put',
        s3: { bucket: { name: 'images' }, object: { key: 'my photo.jpg', size: 5 } },
      });
      await t.s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'b.png', Body: 'png' }));
      const got = await t.s3.send(new GetObjectCommand({ Bucket: 'images', Key: 'my photo.jpg' }));
      await got.Body?.transformToString(); // ObjectAccessed: not asked for
      await t.s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: 'my photo.jpg' }));
      await eventually(async () => (received.length >= 2 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received.map(({ record }) => [record.eventName, record.s3.object.key])).toEqual([
        ['s3:ObjectCreated:Put', 'my photo.jpg'],
        ['s3:ObjectRemoved:Delete', 'my photo.jpg'],
      ]);
      listener.stop();
    } finally {
      await t.stop();
    }
  });

  test('ObjectAccessed events reach a listener that asks for them; ping lines keep it alive', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'logs' }));
      await t.s3.send(new PutObjectCommand({ Bucket: 'logs', Key: 'a.txt', Body: 'a' }));
      const listener = await rawListener(t.endpoint, '/?events=s3:ObjectAccessed:*&ping=1');
      expect(listener.status).toBe(200);
      const got = await t.s3.send(new GetObjectCommand({ Bucket: 'logs', Key: 'a.txt' }));
      await got.Body?.transformToString();
      const event = await eventually(async () =>
        listener.lines.find((line) => line.includes('ObjectAccessed')),
      );
      expect(JSON.parse(event).Records[0]).toMatchObject({ eventName: 's3:ObjectAccessed:Get' });
      await eventually(async () => (listener.lines.includes('{"Records":null}') ? true : undefined), 3000);
      listener.close();
    } finally {
      await t.stop();
    }
  });

  test('bad parameters and unknown buckets get S3 errors', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
      const ask = async (path: string) =>
        send(
          t.endpoint,
          'GET',
          path,
          await signedHeaders(t.endpoint, 'GET', path, EMPTY_SHA256, credentials),
        );
      const wrongEvent = await ask('/images?events=s3:ObjectCreated:Bogus');
      expect([wrongEvent.status, errorCode(wrongEvent)]).toEqual([400, 'InvalidArgument']);
      const twoPrefixes = await ask('/images?events=s3:ObjectCreated:*&prefix=a&prefix=b');
      expect([twoPrefixes.status, errorCode(twoPrefixes)]).toEqual([400, 'InvalidArgument']);
      const badPing = await ask('/images?events=s3:ObjectCreated:*&ping=0');
      expect([badPing.status, errorCode(badPing)]).toEqual([400, 'InvalidArgument']);
      const missing = await ask('/nothing-here?events=s3:ObjectCreated:*');
      expect([missing.status, errorCode(missing)]).toEqual([404, 'NoSuchBucket']);
      const unsigned = await send(t.endpoint, 'GET', '/images?events=s3:ObjectCreated:*', {});
      expect(unsigned.status).toBe(403);
    } finally {
      await t.stop();
    }
  });

  test('a listener that stops reading slows neither uploads nor another listener', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'busy' }));
      const stuck = await rawListener(t.endpoint, '/busy?events=s3:ObjectCreated:*');
      stuck.pause();
      const healthy = await rawListener(t.endpoint, '/busy?events=s3:ObjectCreated:*');
      const body = 'x'.repeat(1024);
      for (let i = 0; i < 100; i++) {
        await t.s3.send(new PutObjectCommand({ Bucket: 'busy', Key: `k${i}`, Body: body }));
      }
      await eventually(async () =>
        healthy.lines.filter((l) => l.includes('ObjectCreated')).length === 100 ? true : undefined,
      );
      stuck.close();
      healthy.close();
    } finally {
      await t.stop();
    }
  }, 60_000);
});
