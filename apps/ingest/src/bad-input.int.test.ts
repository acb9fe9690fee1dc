// The bad-input suite: hostile and malformed requests against a real ingest.
// Each gets the S3 error its client expects; the server keeps serving; objects
// stored before are still there, byte for byte; and nothing half-done leaves a
// record behind. (Signatures, presigned expiry and notification validation have
// their own suites: s3-auth, notification; fuzzing: s3-protocol and router.)
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { sha256Hex } from '@bucket-events/s3-protocol';
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import {
  ACCESS_KEY,
  eventually,
  SECRET_KEY,
  s3ErrorCode,
  startTestIngest,
  type TestIngest,
} from '../test/harness.ts';
import { errorCode, keyPath, send, signedHeaders } from '../test/raw-requests.ts';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };
const KEEP = Buffer.from('precious bytes '.repeat(1000));

/** A signed request with this body (its real hash), sent raw. */
async function signedSend(
  t: TestIngest,
  method: string,
  path: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
) {
  const hash = sha256Hex(body);
  const headers = await signedHeaders(t.endpoint, method, path, hash, credentials, extra);
  return send(
    t.endpoint,
    method,
    path,
    { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    body,
  );
}

/** The server still answers, and what was stored before is intact. */
async function stillHealthy(t: TestIngest) {
  const got = await t.s3.send(new GetObjectCommand({ Bucket: 'safe', Key: 'keep.bin' }));
  const bytes = Buffer.from(await (got.Body?.transformToByteArray() ?? new Uint8Array()));
  expect(createHash('md5').update(bytes).digest('hex')).toBe(createHash('md5').update(KEEP).digest('hex'));
}

async function withIngest(redis: { url: string; prefix: string }, body: (t: TestIngest) => Promise<void>) {
  const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
  try {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'safe' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'safe', Key: 'keep.bin', Body: KEEP }));
    await body(t);
    await stillHealthy(t);
  } finally {
    await t.stop();
  }
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Delete><Object><Key>&lol3;</Key></Object></Delete>`;
const externalEntity = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<NotificationConfiguration><QueueConfiguration><Queue>&xxe;</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`;

describe('bad input', () => {
  test('XML bombs, external entities and malformed XML are MalformedXML, on every XML operation', async ({
    redis,
  }) => {
    await withIngest(redis, async (t) => {
      const bodies = [billionLaughs, externalEntity, '<Delete><Object>', 'not xml at all', '<a></b>'];
      for (const body of bodies) {
        const deleted = await signedSend(t, 'POST', '/safe?delete=', body, {
          'content-md5': createHash('md5').update(body).digest('base64'),
        });
        expect([deleted.status, errorCode(deleted)], `delete ${body.slice(0, 30)}`).toEqual([
          400,
          'MalformedXML',
        ]);
        const notify = await signedSend(t, 'PUT', '/safe?notification=', body);
        expect([notify.status, errorCode(notify)], `notification ${body.slice(0, 30)}`).toEqual([
          400,
          'MalformedXML',
        ]);
      }
      const empty = await signedSend(t, 'PUT', '/safe?notification=', '');
      expect(empty.status).toBeGreaterThanOrEqual(400);
      expect(['MalformedXML', 'MissingContentLength', 'MissingRequestBodyError']).toContain(errorCode(empty));
      const complete = await signedSend(t, 'POST', '/safe/big?uploadId=nope', billionLaughs);
      expect(complete.status).toBeGreaterThanOrEqual(400);
      expect(['MalformedXML', 'NoSuchUpload']).toContain(errorCode(complete));
    });
  });

  test('oversized headers and bodies are refused before they are read', async ({ redis }) => {
    await withIngest(redis, async (t) => {
      // 32 KiB of headers: over the 16 KiB limit; Node answers 431 and closes.
      const huge = await send(t.endpoint, 'GET', '/safe', { 'x-amz-meta-big': 'x'.repeat(32 * 1024) });
      expect(huge.status).toBe(431);
      // A 6 GiB single PUT is refused from its Content-Length alone.
      const tooBig = await signedHeaders(t.endpoint, 'PUT', '/safe/huge', 'UNSIGNED-PAYLOAD', credentials);
      const answer = await send(t.endpoint, 'PUT', '/safe/huge', {
        ...tooBig,
        'content-length': String(6 * 1024 ** 3),
      });
      expect([answer.status, errorCode(answer)]).toEqual([400, 'EntityTooLarge']);
      // An XML body over 1 MiB.
      const bigXml = `<Delete>${'<Object><Key>k</Key></Object>'.repeat(50_000)}</Delete>`;
      const bulk = await signedSend(t, 'POST', '/safe?delete=', bigXml, {
        'content-md5': createHash('md5').update(bigXml).digest('base64'),
      });
      expect(bulk.status).toBe(400);
      expect(['MalformedXML', 'EntityTooLarge', 'MaxMessageLengthExceeded']).toContain(errorCode(bulk));
    });
  });

  test('invalid UTF-8 and path-traversal keys never touch the file system outside the data folder', async ({
    redis,
  }) => {
    await withIngest(redis, async (t) => {
      const invalidUtf8 = await send(
        t.endpoint,
        'PUT',
        '/safe/bad%FF%FEkey',
        await signedHeaders(t.endpoint, 'PUT', '/safe/bad%FF%FEkey', sha256Hex(''), credentials),
        '',
      );
      expect([invalidUtf8.status, errorCode(invalidUtf8)]).toEqual([400, 'InvalidObjectName']);
      const before = readdirSync(join(t.dataDir, '..'));
      for (const key of ['../../etc/passwd', '../outside.txt', './././x', 'a/../../b', '..', '%2e%2e/x']) {
        await t.s3.send(new PutObjectCommand({ Bucket: 'safe', Key: key, Body: `value of ${key}` }));
        const got = await t.s3.send(new GetObjectCommand({ Bucket: 'safe', Key: key }));
        expect(await got.Body?.transformToString()).toBe(`value of ${key}`);
      }
      // Keys are names in the database, never paths: nothing appeared next to the data folder.
      expect(readdirSync(join(t.dataDir, '..'))).toEqual(before);
      const tooLong = await s3ErrorCode(
        t.s3.send(new PutObjectCommand({ Bucket: 'safe', Key: 'k'.repeat(1025), Body: '' })),
      );
      expect(tooLong).toBe('KeyTooLongError');
      const traversalBucket = await send(
        t.endpoint,
        'GET',
        '/..%2F..%2Fetc',
        await signedHeaders(t.endpoint, 'GET', '/..%2F..%2Fetc', sha256Hex(''), credentials),
      );
      expect(traversalBucket.status).toBeGreaterThanOrEqual(400);
    });
  });

  test('a truncated upload stores nothing and records nothing; the connection dies, the server does not', async ({
    redis,
  }) => {
    await withIngest(redis, async (t) => {
      // keep.bin's record first reaches Redis: counted before, not mistaken for the truncated upload's.
      await eventually(async () => (t.ingest.store.outbox.outboxSize() === 0 ? true : undefined));
      const recordsBefore = (await t.mutationRecords()).length;
      const path = keyPath('safe', 'truncated.bin');
      const headers = await signedHeaders(t.endpoint, 'PUT', path, 'UNSIGNED-PAYLOAD', credentials);
      const url = new URL(t.endpoint);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          const head = [
            `PUT ${path} HTTP/1.1`,
            ...Object.entries({ ...headers, 'content-length': '100000' }).map(([k, v]) => `${k}: ${v}`),
          ];
          socket.write(`${head.join('\r\n')}\r\n\r\n`);
          socket.write(Buffer.alloc(40_000, 1)); // 40 % of what was announced, then the client vanishes
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 300);
        });
        socket.on('error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(
        await s3ErrorCode(t.s3.send(new HeadObjectCommand({ Bucket: 'safe', Key: 'truncated.bin' }))),
      ).toBe('NotFound');
      expect((await t.mutationRecords()).length).toBe(recordsBefore);
      // A body shorter than its Content-Length on a live connection: IncompleteBody, not stored.
      const short = await signedHeaders(
        t.endpoint,
        'PUT',
        keyPath('safe', 'short.bin'),
        'UNSIGNED-PAYLOAD',
        credentials,
      );
      const answer = await fetch(`${t.endpoint}${keyPath('safe', 'short.bin')}`, {
        method: 'PUT',
        headers: { ...short, 'content-length': '10' },
        body: 'abc',
      }).catch((error: Error) => error);
      expect(answer instanceof Error || answer.status >= 400).toBe(true);
      expect(await s3ErrorCode(t.s3.send(new HeadObjectCommand({ Bucket: 'safe', Key: 'short.bin' })))).toBe(
        'NotFound',
      );
    });
  });

  test('garbage on the wire gets a 400 and the server keeps serving', async ({ redis }) => {
    await withIngest(redis, async (t) => {
      const url = new URL(t.endpoint);
      for (const garbage of [
        '\u0000\u0001\u0002 not http\r\n\r\n',
        'GET /safe HTTP/9.9\r\nHost: x\r\n\r\n',
        'PUT /safe/x HTTP/1.1\r\nContent-Length: -5\r\n\r\n',
      ]) {
        const reply = await new Promise<string>((resolve) => {
          let text = '';
          const socket = connect(Number(url.port), url.hostname, () => socket.write(garbage));
          socket.on('data', (chunk) => {
            text += chunk;
          });
          socket.on('close', () => resolve(text));
          socket.on('error', () => resolve(text));
          setTimeout(() => socket.destroy(), 1000);
        });
        expect(
          reply === '' || /^HTTP\/1\.1 (400|403|505)/.test(reply),
          JSON.stringify(reply.slice(0, 40)),
        ).toBe(true);
      }
      const anonymous = await send(t.endpoint, 'PUT', '/safe/anon', {}, 'x');
      expect([anonymous.status, errorCode(anonymous)]).toEqual([403, 'AccessDenied']);
    });
  });
});
