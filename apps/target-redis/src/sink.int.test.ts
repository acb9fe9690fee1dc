// The Redis target against the real Redis: the shared conformance suite, the
// seed's list format, and an order-safe namespace view.
import type { TargetJob } from '@bucket-events/contracts';
import {
  conformanceJob,
  namespaceViewSuite,
  probedConformanceTarget,
  targetConformanceSuite,
} from '@bucket-events/target-kit/conformance';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { targetApp } from './index.ts';
import { probe } from './probe.ts';
import { RedisSink, sequencerHashKey } from './sink.ts';

const endpoints = loadServiceEndpoints();
const address = new URL(endpoints.redisUrl).host;
const reader = new Redis(endpoints.redisUrl);
afterAll(() => reader.quit());

// Read back through this kind's probe, with the sink the app makes from the probe's block.
targetConformanceSuite({ kind: 'redis', setup: () => probedConformanceTarget(targetApp, probe) });

namespaceViewSuite({
  kind: 'redis',
  async setup() {
    const key = uniqueName('view');
    return {
      sink: new RedisSink({ address, password: '', user: '', key, format: 'namespace' }),
      entry: async (objectKey) => {
        const value = await reader.hget(key, `conformance/${objectKey}`);
        return value === null
          ? undefined
          : (JSON.parse(value) as { Records: [TargetJob['record']] }).Records[0];
      },
      cleanup: async () => {
        await reader.del(key, sequencerHashKey(key));
      },
    };
  },
});

describe('redis target formats', () => {
  it('access: appends {"Records":[event]} to the list, as the seed shows', async () => {
    const key = uniqueName('events');
    const sink = new RedisSink({ address, password: '', user: '', key, format: 'access' });
    await sink.connect();
    try {
      const job = conformanceJob('redis', 'myphoto.jpg');
      await sink.write([job]);
      expect((await reader.lrange(key, 0, -1)).map((e) => JSON.parse(e))).toEqual([
        { Records: [job.record] },
      ]);
      // A batch: one entry per event, in the batch's order, after what was there.
      const batch = ['a.jpg', 'b.jpg', 'c.jpg'].map((name) => conformanceJob('redis', name));
      await sink.write(batch);
      expect((await reader.lrange(key, 0, -1)).map((e) => JSON.parse(e).Records[0].s3.object.key)).toEqual([
        'myphoto.jpg',
        'a.jpg',
        'b.jpg',
        'c.jpg',
      ]);
    } finally {
      await sink.close();
      await reader.del(key);
    }
  });

  it("access with accessShape minio: appends today's MinIO element [{Event:[event],EventTime}]", async () => {
    const key = uniqueName('events');
    const sink = new RedisSink({
      address,
      password: '',
      user: '',
      key,
      format: 'access',
      accessShape: 'minio',
    });
    await sink.connect();
    try {
      const batch = ['a.jpg', 'b.jpg'].map((name) => conformanceJob('redis', name));
      await sink.write(batch);
      expect((await reader.lrange(key, 0, -1)).map((e) => JSON.parse(e))).toEqual(
        batch.map((job) => [{ Event: [job.record], EventTime: job.record.eventTime }]),
      );
    } finally {
      await sink.close();
      await reader.del(key);
    }
  });

  it('namespace: one field per object, removed on delete, never overwritten by an older or repeated event', async () => {
    const key = uniqueName('namespace');
    const sink = new RedisSink({ address, password: '', user: '', key, format: 'namespace' });
    await sink.connect();
    try {
      const put1 = conformanceJob('redis', 'a.jpg');
      const put2 = conformanceJob('redis', 'a.jpg');
      const del3 = conformanceJob('redis', 'a.jpg', 's3:ObjectRemoved:Delete');
      const other = conformanceJob('redis', 'b.jpg');
      await sink.write([put2, other]);
      await sink.write([put1]); // late, older: ignored
      expect(JSON.parse((await reader.hget(key, 'conformance/a.jpg')) as string)).toEqual({
        Records: [put2.record],
      });
      await sink.write([del3, put2]); // delete, then a duplicate of an older put: still deleted
      expect(await reader.hget(key, 'conformance/a.jpg')).toBeNull();
      expect(JSON.parse((await reader.hget(key, 'conformance/b.jpg')) as string)).toEqual({
        Records: [other.record],
      });
      const put4 = conformanceJob('redis', 'a.jpg');
      await sink.write([put4]);
      expect(JSON.parse((await reader.hget(key, 'conformance/a.jpg')) as string)).toEqual({
        Records: [put4.record],
      });
      // A DELETE of a key that was not there (NoOP) never gives the view an entry; after a real
      // object it removes it, as the object is gone.
      await sink.write([conformanceJob('redis', 'ghost.jpg', 's3:ObjectRemoved:NoOP')]);
      expect(await reader.hget(key, 'conformance/ghost.jpg')).toBeNull();
      await sink.write([conformanceJob('redis', 'a.jpg', 's3:ObjectRemoved:NoOP')]);
      expect(await reader.hget(key, 'conformance/a.jpg')).toBeNull();
    } finally {
      await sink.close();
      await reader.del(key, sequencerHashKey(key));
    }
  });

  it('refuses to write into a key of another type, without losing events', async () => {
    const key = uniqueName('typed');
    await reader.set(key, 'not a list');
    const sink = new RedisSink({ address, password: '', user: '', key, format: 'access' });
    try {
      await expect(sink.connect()).rejects.toThrow(/is a string, expected a list/);
    } finally {
      await sink.close();
      await reader.del(key);
    }
  });
});
