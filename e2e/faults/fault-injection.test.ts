// The fault-injection suite: one run with all six targets enabled (plus the
// namespace views of Elasticsearch, Redis and PostgreSQL) under a steady
// upload/delete load, during which, in turn, each target's server is stopped
// and started, each target app (two processes per target, sharing its
// partitions: one of them), the router and ingest are SIGKILLed and relaunched,
// and Redis (BullMQ's store, AOF on) is restarted. Then every
// acknowledged mutation is accounted for at every target: delivered or lost,
// duplicates, per-key order violations; and each namespace view is compared with
// what the bucket really holds. Lost = 0 and order violations = 0 are asserted.
// The whole suite runs three times: against the separate services, against the
// standalone process (there the one SIGKILL ends every part at once), and against
// the separate services with the queues on a Redis Cluster (the local three
// masters), where the Redis fault is the restart of the master that holds the
// deployment's slot.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { type EventRecord, TARGET_KINDS, type TargetKind, targetArn } from '@bucket-events/contracts';
import { clusterMasterOf, createRedis } from '@bucket-events/queue';
import { createSearchClient } from '@bucket-events/search-client';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Part, type Stack, startStack } from '../src/stack.ts';
import { type Arrival, type OutageTarget, outageTargets } from './outage-targets.ts';

const run = promisify(execFile);
const SVC = new URL('../../infra/local/svc', import.meta.url).pathname;
const endpoints = loadServiceEndpoints();
const BUCKET = 'faults';
const KEYS = 60;
const WORKERS = 4;

/** An acknowledged mutation: the S3 request that made it, in the order its key saw them. */
interface Acknowledged {
  key: string;
  op: 'put' | 'delete';
  requestId: string;
  eTag: string;
  /** Position among its key's acknowledged mutations. */
  index: number;
}

type Mode = 'separate services' | 'standalone' | 'Redis Cluster';

/** The whole suite against one way of running the product. */
function faultInjection(mode: Mode) {
  const standalone = mode === 'standalone';
  const queuesUrl = mode === 'Redis Cluster' ? endpoints.redisClusterUrl : endpoints.redisUrl;
  let targets: OutageTarget[];
  let stack: Stack;
  const names = { esIndex: uniqueName('ns'), redisKey: uniqueName('ns'), table: uniqueName('ns') };

  beforeAll(async () => {
    targets = await outageTargets(uniqueName);
    for (const target of targets) await target.prepare();
    const notify: Record<string, Record<string, object>> = Object.fromEntries(
      targets.map((target) => [target.kind, { '1': target.block }]),
    );
    // The namespace views live on the shared services, so they live through every fault too.
    (notify.elasticsearch as Record<string, object>).ns = {
      enable: true,
      url: endpoints.opensearchUrl,
      index: names.esIndex,
      format: 'namespace',
    };
    const redisUrl = new URL(endpoints.redisUrl);
    (notify.redis as Record<string, object>).ns = {
      enable: true,
      address: `${redisUrl.hostname}:${redisUrl.port}`,
      key: names.redisKey,
      format: 'namespace',
    };
    (notify.postgresql as Record<string, object>).ns = {
      enable: true,
      connectionString: endpoints.postgresUrl,
      table: names.table,
      format: 'namespace',
    };
    stack = await startStack({
      config: { region: 'us-east-1', notify },
      targets: [...TARGET_KINDS],
      // Two processes per target share its partitions; the SIGKILLs below hit one of them.
      replicas: standalone ? undefined : Object.fromEntries(TARGET_KINDS.map((kind) => [kind, 2])),
      standalone,
      redisUrl: queuesUrl,
      env: { TARGET_RETRY_MAX_MS: '2000', TARGET_LOCK_MS: '3000', ROUTER_LOCK_MS: '3000' },
    });
    await stack.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const arns = Object.entries(notify).flatMap(([kind, ids]) =>
      Object.keys(ids).map((id) => targetArn({ id, kind: kind as TargetKind }, 'us-east-1')),
    );
    await stack.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: {
          QueueConfigurations: arns.map((arn) => ({
            QueueArn: arn,
            Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
          })),
        },
      }),
    );
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await run('bash', [SVC, 'up', mode === 'Redis Cluster' ? 'redis-cluster' : 'redis']).catch(() => {});
    for (const target of targets ?? []) {
      await target.startServer().catch(() => {});
      await target.cleanup().catch(() => {});
    }
    const search = createSearchClient({ url: endpoints.opensearchUrl, compatibility: 'opensearch' });
    await search.indices.delete({ index: names.esIndex, ignore_unavailable: true }).catch(() => {});
    await search.close();
    const redis = new Redis(endpoints.redisUrl);
    await redis.del(names.redisKey, `${names.redisKey}:sequencers`).catch(() => {});
    redis.disconnect();
    const db = new pg.Client({ connectionString: endpoints.postgresUrl });
    await db.connect();
    await db.query(`drop table if exists ${names.table}, ${names.table}_sequencers`).catch(() => {});
    await db.end();
  }, 600_000);

  /** The load: each worker owns its keys and knows their state, so it never deletes a missing key. */
  function startLoad() {
    const acknowledged: Acknowledged[] = [];
    const perKey = new Map<string, number>();
    let stopped = false;
    let failures = 0;
    let counter = 0;
    const worker = async (w: number) => {
      const keys = Array.from({ length: KEYS }, (_, i) => `k${i}.jpg`).filter((_, i) => i % WORKERS === w);
      const exists = new Map<string, boolean | undefined>(keys.map((key) => [key, false]));
      while (!stopped) {
        const key = keys[Math.floor(Math.random() * keys.length)] as string;
        try {
          let state = exists.get(key);
          if (state === undefined) {
            // After a failed request the outcome is unknown (it may have committed): look.
            state = await stack.s3
              .send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
              .then(() => true)
              .catch((error: { name?: string }) => {
                if (error.name === 'NotFound') return false;
                throw error;
              });
            exists.set(key, state);
          }
          const index = perKey.get(key) ?? 0;
          if (state && Math.random() < 0.3) {
            const answer = await stack.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
            acknowledged.push({
              key,
              op: 'delete',
              requestId: answer.$metadata.requestId ?? '',
              eTag: '',
              index,
            });
            exists.set(key, false);
          } else {
            counter += 1;
            const answer = await stack.s3.send(
              new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `upload ${w}-${counter}` }),
            );
            const eTag = (answer.ETag ?? '').replaceAll('"', '');
            acknowledged.push({ key, op: 'put', requestId: answer.$metadata.requestId ?? '', eTag, index });
            exists.set(key, true);
          }
          perKey.set(key, index + 1);
        } catch {
          failures += 1;
          exists.set(key, undefined);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
    return {
      acknowledged,
      get failures() {
        return failures;
      },
      async stop() {
        stopped = true;
        await Promise.all(workers);
      },
    };
  }

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  interface Accounting {
    target: string;
    acknowledged: number;
    delivered: number;
    lost: number;
    duplicates: number;
    orderViolations: number;
    /** The first few violations, for the report: which key, which mutation arrived after which. */
    violations: string[];
  }

  function account(target: string, acknowledged: Acknowledged[], arrivals: Arrival[]): Accounting {
    const byRequest = new Map(acknowledged.map((ack) => [ack.requestId, ack]));
    const seen = new Set<string>();
    let duplicates = 0;
    let orderViolations = 0;
    const lastIndex = new Map<string, number>();
    const lastSequencer = new Map<string, string>();
    const violations: string[] = [];
    for (const [position, arrival] of arrivals.entries()) {
      if (seen.has(arrival.requestId)) {
        duplicates += 1;
        continue;
      }
      seen.add(arrival.requestId);
      const ack = byRequest.get(arrival.requestId);
      if (!ack) continue; // made by a request whose answer was lost (ingest killed): evented, never acknowledged
      const previous = lastIndex.get(ack.key) ?? -1;
      if (ack.index < previous) {
        orderViolations += 1;
        if (violations.length < 5)
          violations.push(
            `${ack.key}: mutation #${ack.index} (${ack.op}, sequencer ${arrival.sequencer}) arrived at position ${position}, after #${previous} (sequencer ${lastSequencer.get(ack.key)})`,
          );
      }
      if (ack.index >= previous) lastSequencer.set(ack.key, arrival.sequencer);
      lastIndex.set(ack.key, Math.max(previous, ack.index));
    }
    const delivered = acknowledged.filter((ack) => seen.has(ack.requestId)).length;
    return {
      target,
      acknowledged: acknowledged.length,
      delivered,
      lost: acknowledged.length - delivered,
      duplicates,
      orderViolations,
      violations,
    };
  }

  /** The namespace views: object name → eTag of the event stored for it. */
  async function namespaceViews(): Promise<Record<string, Map<string, string>>> {
    const eTagOf = (document: { Records: EventRecord[] }) =>
      (document.Records[0] as EventRecord).s3.object.eTag ?? '';
    const search = createSearchClient({ url: endpoints.opensearchUrl, compatibility: 'opensearch' });
    await search.indices.refresh({ index: names.esIndex });
    const hits = (await search.search<{ Records: EventRecord[] }>({ index: names.esIndex, size: 10_000 }))
      .hits.hits;
    await search.close();
    const redis = new Redis(endpoints.redisUrl);
    const hash = await redis.hgetall(names.redisKey);
    redis.disconnect();
    const db = new pg.Client({ connectionString: endpoints.postgresUrl });
    await db.connect();
    const rows = (await db.query(`select key, value from ${names.table}`)).rows as {
      key: string;
      value: { Records: EventRecord[] };
    }[];
    await db.end();
    return {
      elasticsearch: new Map(hits.map((hit) => [hit._id as string, eTagOf(hit._source as never)])),
      redis: new Map(Object.entries(hash).map(([key, value]) => [key, eTagOf(JSON.parse(value))])),
      postgresql: new Map(rows.map((row) => [row.key, eTagOf(row.value)])),
    };
  }

  async function bucketContents(): Promise<Map<string, string>> {
    const contents = new Map<string, string>();
    for await (const page of paginateListObjectsV2({ client: stack.s3 }, { Bucket: BUCKET })) {
      for (const object of page.Contents ?? [])
        contents.set(`${BUCKET}/${object.Key}`, (object.ETag ?? '').replaceAll('"', ''));
    }
    return contents;
  }

  it(
    'loses nothing and keeps per-key order through target, app, router, ingest and Redis faults',
    async () => {
      const load = startLoad();
      const faults: string[] = [];
      const step = async (name: string, action: () => Promise<void>) => {
        const started = Date.now();
        await action();
        faults.push(`${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        await pause(1500); // let the load run through each phase
      };
      await pause(2000);
      for (const target of targets) {
        await step(`stop ${target.kind} server`, target.stopServer);
        await pause(2000);
        await step(`start ${target.kind} server`, target.startServer);
      }
      // In the standalone process every part is that one process: killing it kills them all.
      const processes: Part[] = standalone ? ['ingest'] : [...TARGET_KINDS, 'router', 'ingest'];
      for (const part of processes) {
        const name = standalone ? 'the standalone process' : part;
        await step(`SIGKILL ${name}`, () => stack.kill(part));
        await step(`relaunch ${name}`, () => stack.relaunch(part));
      }
      if (mode === 'Redis Cluster') {
        const master = await clusterMasterOf(endpoints.redisClusterUrl, stack.prefix);
        await step(`restart the cluster master of the deployment's slot (${master.port})`, async () => {
          // SHUTDOWN flushes the AOF first, as the single Redis's stop does.
          await run('redis-cli', ['-h', master.host, '-p', String(master.port), 'shutdown']).catch(() => {});
          await pause(2000);
          await run('bash', [SVC, 'up', 'redis-cluster']);
        });
      } else {
        await step('restart Redis', async () => {
          await run('bash', [SVC, 'down', 'redis']);
          await pause(2000);
          await run('bash', [SVC, 'up', 'redis']);
        });
      }
      await pause(3000);
      await load.stop();

      const acknowledged = load.acknowledged;
      expect(acknowledged.length).toBeGreaterThan(500);
      // Every acknowledged mutation must reach every target; wait for the slowest.
      const loadEnded = Date.now();
      for (const target of targets) {
        const deadline = Date.now() + 300_000;
        for (;;) {
          const arrivals = await target.arrivals().catch(() => [] as Arrival[]);
          const received = new Set(arrivals.map((arrival) => arrival.requestId));
          const missing = acknowledged.filter((ack) => !received.has(ack.requestId)).length;
          if (missing === 0) break;
          if (Date.now() > deadline) break; // the accounting below reports what is missing
          await pause(1000);
        }
        console.log(
          `${target.kind}: complete or given up ${((Date.now() - loadEnded) / 1000).toFixed(0)} s after the load`,
        );
      }
      const table: Accounting[] = [];
      for (const target of targets) table.push(account(target.kind, acknowledged, await target.arrivals()));
      console.log(`faults, in order: ${faults.join(' → ')}`);
      console.log(
        `load: ${acknowledged.length} acknowledged mutations, ${load.failures} requests failed during faults`,
      );
      console.table(table.map(({ violations, ...row }) => row));
      for (const row of table.filter((row) => row.lost > 0 || row.orderViolations > 0)) {
        console.log(`${row.target}: ${row.violations.join('\n  ')}`);
        const part = (standalone ? 'ingest' : row.target) as Part;
        console.log(`${row.target} app, its last warnings:\n${stack.logTail(part, 15)}`);
      }
      for (const row of table) {
        expect(row.lost, `${row.target}: lost`).toBe(0);
        expect(row.orderViolations, `${row.target}: order violations`).toBe(0);
      }

      // The namespace views converge on what the bucket holds.
      const contents = await bucketContents();
      let views: Record<string, Map<string, string>> = {};
      const deadline = Date.now() + 120_000;
      do {
        views = await namespaceViews();
        const same = Object.values(views).every(
          (view) =>
            view.size === contents.size && [...contents].every(([key, eTag]) => view.get(key) === eTag),
        );
        if (same) break;
        await pause(1000);
      } while (Date.now() < deadline);
      for (const [kind, view] of Object.entries(views)) {
        const differs = [...contents].filter(([key, eTag]) => view.get(key) !== eTag).map(([key]) => key);
        const extra = [...view.keys()].filter((key) => !contents.has(key));
        if (differs.length > 0 || extra.length > 0) {
          // What the target holds for its `ns` target, to tell a stuck queue from a skipped write.
          const master =
            mode === 'Redis Cluster'
              ? await clusterMasterOf(endpoints.redisClusterUrl, stack.prefix)
              : undefined;
          const redis = createRedis(master ? `redis://${master.host}:${master.port}` : endpoints.redisUrl);
          const keys = await redis.keys(`${stack.prefix}:target.${kind}.ns*`);
          const sizes = await Promise.all(
            keys
              .filter((key) => /:(wait|active|paused|prioritized|delayed|failed)$|\.dead:wait$/.test(key))
              .map(
                async (key) =>
                  `${key} ${(await redis.type(key)) === 'list' ? await redis.llen(key) : await redis.zcard(key).catch(() => '?')}`,
              ),
          );
          redis.disconnect();
          const part = (standalone ? 'ingest' : kind) as Part;
          console.log(
            `${kind} namespace view: stale ${differs.join(' ')}; extra ${extra.join(' ')}\n` +
              `its queues: ${sizes.join(', ')}\n${stack.logTail(part, 20)}\n${standalone ? '' : stack.logTail(part, 20, 1)}`,
          );
        }
        expect(Object.fromEntries(view), `${kind} namespace view`).toEqual(Object.fromEntries(contents));
      }
    },
    25 * 60_000,
  );
}

describe('the separate services (two processes per target)', () => faultInjection('separate services'));
describe('the standalone process (every part in one)', () => faultInjection('standalone'));
describe('the separate services, the queues on a Redis Cluster', () => faultInjection('Redis Cluster'));
