// Authentication and body integrity against the real server: wrong secret,
// unknown key, anonymous, expired presigned URL, tampered body hash, aws-chunked
// uploads with chunk signatures; a refused upload leaves no object and no record.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { sha256Hex } from '@bucket-events/s3-protocol';
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { ACCESS_KEY, eventually, SECRET_KEY, s3ErrorCode, startTestIngest } from '../test/harness.ts';
import { chunkedUpload, errorCode, keyPath, send, signedHeaders } from '../test/raw-requests.ts';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

describe('authentication', () => {
  test('refuses wrong secrets, unknown keys and anonymous requests with the S3 codes', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'secure' }));
      const client = (accessKeyId: string, secretAccessKey: string) =>
        new S3Client({
          endpoint: t.endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: { accessKeyId, secretAccessKey },
        });
      expect(
        await s3ErrorCode(
          client(ACCESS_KEY, 'wrong-secret').send(new GetObjectCommand({ Bucket: 'secure', Key: 'k' })),
        ),
      ).toBe('SignatureDoesNotMatch');
      expect(
        await s3ErrorCode(
          client('nobody', SECRET_KEY).send(new GetObjectCommand({ Bucket: 'secure', Key: 'k' })),
        ),
      ).toBe('InvalidAccessKeyId');
      const anonymous = await send(t.endpoint, 'GET', '/secure/k', {});
      expect(anonymous.status).toBe(403);
      expect(errorCode(anonymous)).toBe('AccessDenied');
      expect(anonymous.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
      expect(anonymous.body).toContain('<RequestId>');
      expect(anonymous.body).toContain('<Resource>/secure/k</Resource>');
    } finally {
      await t.stop();
    }
  });

  test('presigned GET and PUT work until they expire, then AccessDenied', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'presign' }));
      const putUrl = await getSignedUrl(
        t.s3,
        new PutObjectCommand({ Bucket: 'presign', Key: 'up load.txt' }),
        { expiresIn: 60 },
      );
      const put = await fetch(putUrl, { method: 'PUT', body: 'via presigned url' });
      expect(put.status).toBe(200);
      const getUrl = await getSignedUrl(
        t.s3,
        new GetObjectCommand({ Bucket: 'presign', Key: 'up load.txt' }),
        { expiresIn: 60 },
      );
      const got = await fetch(getUrl);
      expect(await got.text()).toBe('via presigned url');
      const expiredUrl = await getSignedUrl(
        t.s3,
        new GetObjectCommand({ Bucket: 'presign', Key: 'up load.txt' }),
        {
          expiresIn: 60,
          signingDate: new Date(Date.now() - 120_000),
        },
      );
      const expired = await fetch(expiredUrl);
      expect(expired.status).toBe(403);
      const body = await expired.text();
      expect(body).toContain('<Code>AccessDenied</Code>');
      expect(body).toContain('<Message>Request has expired</Message>');
    } finally {
      await t.stop();
    }
  });

  test('a body that does not match its signed SHA-256 is refused and leaves nothing behind', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'tamper' }));
      const path = keyPath('tamper', 'file.txt');
      const headers = await signedHeaders(t.endpoint, 'PUT', path, sha256Hex('hello'), credentials, {
        'content-length': '5',
      });
      const response = await send(t.endpoint, 'PUT', path, headers, 'hellp');
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('XAmzContentSHA256Mismatch');
      expect(await s3ErrorCode(t.s3.send(new GetObjectCommand({ Bucket: 'tamper', Key: 'file.txt' })))).toBe(
        'NoSuchKey',
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await t.mutationRecords()).toEqual([]);
      // No data file was left behind for the refused upload.
      const objectsDir = join(t.dataDir, 'objects');
      const files = readdirSync(objectsDir).flatMap((shard) => readdirSync(join(objectsDir, shard)));
      expect(files).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  test('aws-chunked uploads: chunk signatures verified, a tampered chunk is SignatureDoesNotMatch', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'chunked' }));
      const data = Buffer.alloc(200 * 1024);
      for (let i = 0; i < data.length; i++) data[i] = i % 251;
      const ok = await chunkedUpload(t.endpoint, keyPath('chunked', 'ok.bin'), data, credentials);
      expect(ok.status).toBe(200);
      const got = await t.s3.send(new GetObjectCommand({ Bucket: 'chunked', Key: 'ok.bin' }));
      expect(
        Buffer.from(
          await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        ).equals(data),
      ).toBe(true);

      const bad = await chunkedUpload(
        t.endpoint,
        keyPath('chunked', 'bad.bin'),
        data,
        credentials,
        64 * 1024,
        true,
      );
      expect(bad.status).toBe(403);
      expect(errorCode(bad)).toBe('SignatureDoesNotMatch');
      expect(await s3ErrorCode(t.s3.send(new GetObjectCommand({ Bucket: 'chunked', Key: 'bad.bin' })))).toBe(
        'NoSuchKey',
      );
      const records = await eventually(async () => {
        const all = await t.mutationRecords();
        return all.length > 0 ? all : undefined;
      });
      expect(records.map((r) => [r.key, r.size])).toEqual([['ok.bin', data.length]]);
    } finally {
      await t.stop();
    }
  });
});

describe('virtual-host style', () => {
  test("mc admin's empty signing region reaches the admin API (MinIO's JSON NotImplemented where it has none); S3 still needs the region", async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };
    const signedWithoutRegion = (path: string) =>
      signedHeaders(t.endpoint, 'GET', path, sha256Hex(''), credentials, {}, new Date(), '');
    try {
      const info = await send(
        t.endpoint,
        'GET',
        '/minio/admin/v3/info',
        await signedWithoutRegion('/minio/admin/v3/info'),
      );
      expect([info.status, JSON.parse(info.body).Code]).toEqual([404, 'NotImplemented']);
      const targets = await send(
        t.endpoint,
        'GET',
        '/minio/admin/v3/targets',
        await signedWithoutRegion('/minio/admin/v3/targets'),
      );
      expect(targets.status).toBe(200);
      expect(JSON.parse(targets.body).targets.length).toBeGreaterThan(0);
      const listBuckets = await send(t.endpoint, 'GET', '/', await signedWithoutRegion('/'));
      expect([listBuckets.status, errorCode(listBuckets)]).toEqual([400, 'AuthorizationHeaderMalformed']);
    } finally {
      await t.stop();
    }
  });

  test('bucket.<MINIO_DOMAIN> addresses the bucket through the Host header', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1), { domain: 's3.example.test' });
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
      await t.s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'dir/a.jpg', Body: 'vhost' }));
      const host = `photos.s3.example.test:${new URL(t.endpoint).port}`;
      const headers = await signedHeaders(t.endpoint, 'GET', '/dir/a.jpg', sha256Hex(''), credentials, {
        host,
      });
      const response = await send(t.endpoint, 'GET', '/dir/a.jpg', headers);
      expect([response.status, response.body]).toEqual([200, 'vhost']);
    } finally {
      await t.stop();
    }
  });
});
