// The queues behind Redis Sentinel (REDIS_URL=redis-sentinel://…/bucketevents,
// the local master, replica and three Sentinels of infra/local), with
// BUCKET_EVENTS_REDIS_DURABILITY=replicas:1 so ingest deletes an outbox row only
// once the replica has it. Four clients upload to a few keys while the Sentinels
// fail the master over to its replica: every acknowledged upload reaches the
// Redis target, each key's first arrivals in commit (sequencer) order.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { targetArn } from '@bucket-events/contracts';
import { parseSentinelUrl } from '@bucket-events/queue';
import { eventually, loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDocument, type Reader, type SeedTarget, seedTargets } from './seed-targets.ts';
import { type Stack, startStack } from './stack.ts';

const run = promisify(execFile);
const { redisSentinelUrl } = loadServiceEndpoints();
const sentinels = parseSentinelUrl(redisSentinelUrl);
const [list] = (await seedTargets(uniqueName, ['redis'])).filter((target) => target.id === '1') as [
  SeedTarget,
];
let stack: Stack;
let reader: Reader;

/** The master's port as the first Sentinel names it. */
async function masterPort(): Promise<number> {
  const { host, port } = sentinels.nodes[0] as { host: string; port: number };
  const { stdout } = await run('redis-cli', [
    '-h',
    host,
    '-p',
    String(port),
    'sentinel',
    'get-master-addr-by-name',
    sentinels.name,
  ]);
  return Number(stdout.trim().split('\n').at(-1));
}

beforeAll(async () => {
  stack = await startStack({
    config: configDocument([list]),
    targets: ['redis'],
    redisUrl: redisSentinelUrl,
    env: { BUCKET_EVENTS_REDIS_DURABILITY: 'replicas:1' },
  });
  reader = await list.read();
}, 120_000);

afterAll(async () => {
  await reader?.close();
  await stack?.stop();
}, 60_000);

describe('queues behind Redis Sentinel', () => {
  it('a failover to the replica during uploads loses no acknowledged upload and keeps per-key order', async () => {
    const s3 = stack.s3;
    await s3.send(new CreateBucketCommand({ Bucket: 'failover' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'failover',
        NotificationConfiguration: {
          QueueConfigurations: [
            { QueueArn: targetArn({ kind: 'redis', id: '1' }, 'us-east-1'), Events: ['s3:ObjectCreated:*'] },
          ],
        },
      }),
    );
    const acknowledged: { key: string; requestId: string }[] = [];
    let stopped = false;
    const client = async (c: number) => {
      for (let n = 0; !stopped; n++) {
        const key = `k${(c + n) % 6}.jpg`;
        const answer = await s3
          .send(new PutObjectCommand({ Bucket: 'failover', Key: key, Body: `${c}-${n}` }))
          .catch(() => undefined); // not acknowledged: no promise made
        if (answer) acknowledged.push({ key, requestId: answer.$metadata.requestId ?? '' });
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    try {
      await eventually(async () => (acknowledged.length >= 100 ? true : undefined), {
        what: '100 acknowledged uploads before the failover',
        timeoutMs: 60_000,
      });
      const before = await masterPort();
      const { host, port } = sentinels.nodes[0] as { host: string; port: number };
      await run('redis-cli', ['-h', host, '-p', String(port), 'sentinel', 'failover', sentinels.name]);
      await eventually(async () => ((await masterPort()) !== before ? true : undefined), {
        what: 'the Sentinels to name the replica master',
        timeoutMs: 60_000,
      });
      const atFailover = acknowledged.length;
      await eventually(async () => (acknowledged.length >= atFailover + 100 ? true : undefined), {
        what: '100 more acknowledged uploads after the failover',
        timeoutMs: 120_000,
      });
    } finally {
      stopped = true;
      await Promise.all(clients);
    }

    const wanted = new Set(acknowledged.map((ack) => ack.requestId));
    const arrived = await eventually(
      async () => {
        const observation = await reader.observe();
        if (observation.kind !== 'events') throw new Error('expected the access format');
        const mine = observation.events.filter((record) => record.s3.bucket.name === 'failover');
        const ids = new Set(mine.map((record) => String(record.responseElements['x-amz-request-id'])));
        return [...wanted].every((id) => ids.has(id)) ? mine : undefined;
      },
      { what: 'every acknowledged upload at the Redis target', timeoutMs: 120_000, intervalMs: 500 },
    );
    // Per key, first arrivals in sequencer order (a redelivery may repeat an event, later).
    for (const key of new Set(acknowledged.map((ack) => ack.key))) {
      const seen = new Set<string>();
      const firsts = arrived
        .filter((record) => record.s3.object.key === key)
        .map((record) => record.s3.object.sequencer)
        .filter((sequencer) => !seen.has(sequencer) && seen.add(sequencer));
      expect(firsts, key).toEqual([...firsts].sort());
    }
  }, 300_000);
});
