// Scaling a target, as the README tells users to: three processes of the Redis
// target share its partitions while 16 S3 clients keep rewriting a handful of
// hot keys; mid-run one process is SIGKILLed, a new one joins and another is
// stopped gracefully. Every acknowledged PUT must arrive (lost = 0) and, per
// key, first arrivals must follow the commit order (the sequencer), whatever
// process delivered them. Duplicates are allowed (at-least-once) and reported.
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { partitionKeys } from '@bucket-events/contracts';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Stack, startStack } from '../src/stack.ts';
import { type Arrival, type OutageTarget, outageTargets } from './outage-targets.ts';

const endpoints = loadServiceEndpoints();
const BUCKET = 'hot';
const HOT_KEYS = 4;
const CLIENTS = 16;
const ARN = 'arn:minio:sqs:us-east-1:1:redis';

let target: OutageTarget;
let stack: Stack;

beforeAll(async () => {
  [target] = (await outageTargets(uniqueName, ['redis'])) as [OutageTarget];
  await target.prepare();
  stack = await startStack({
    config: { region: 'us-east-1', notify: { redis: { '1': target.block } } },
    targets: ['redis'],
    replicas: { redis: 3 },
    redisUrl: endpoints.redisUrl,
    // A crashed process's partitions pass on once its lease and job locks lapse: keep that short here.
    env: { TARGET_LOCK_MS: '3000' },
  });
  await stack.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await stack.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: ARN, Events: ['s3:ObjectCreated:*'] }] },
    }),
  );
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await target?.cleanup();
});

/** 16 clients rewriting the hot keys as fast as they are answered; every acknowledged PUT is noted. */
function startLoad() {
  const acknowledged: { key: string; requestId: string }[] = [];
  let stopped = false;
  let failures = 0;
  const client = async (c: number) => {
    for (let n = 0; !stopped; n++) {
      const key = `hot-${(c + n) % HOT_KEYS}.jpg`;
      try {
        const answer = await stack.s3.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `${c}-${n}` }),
        );
        acknowledged.push({ key, requestId: answer.$metadata.requestId ?? '' });
      } catch {
        failures += 1;
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
  return {
    acknowledged,
    get failures() {
      return failures;
    },
    /** Resolves once `count` more PUTs were acknowledged. */
    async more(count: number) {
      const until = acknowledged.length + count;
      while (acknowledged.length < until) await new Promise((resolve) => setTimeout(resolve, 50));
    },
    async stop() {
      stopped = true;
      await Promise.all(clients);
    },
  };
}

function account(acknowledged: { key: string; requestId: string }[], arrivals: Arrival[]) {
  const seen = new Set<string>();
  const last = new Map<string, string>();
  let duplicates = 0;
  const violations: string[] = [];
  for (const arrival of arrivals) {
    if (seen.has(arrival.requestId)) {
      duplicates += 1;
      continue;
    }
    seen.add(arrival.requestId);
    const previous = last.get(arrival.key);
    if (previous !== undefined && arrival.sequencer <= previous)
      violations.push(`${arrival.key}: ${arrival.sequencer} arrived after ${previous}`);
    last.set(arrival.key, arrival.sequencer);
  }
  const lost = acknowledged.filter((ack) => !seen.has(ack.requestId)).length;
  return {
    acknowledged: acknowledged.length,
    lost,
    duplicates,
    orderViolations: violations.length,
    violations,
  };
}

it('three processes of one target: a SIGKILL, a join and a graceful stop lose nothing and keep per-key order', async () => {
  const load = startLoad();
  await load.more(400);
  await stack.kill('redis', 'SIGKILL', 1);
  await load.more(600);
  const joined = stack.addReplica('redis');
  await load.more(600);
  await stack.kill('redis', 'SIGTERM', 2);
  await load.more(600);
  await load.stop();

  const acknowledged = load.acknowledged;
  const wanted = new Set(acknowledged.map((ack) => ack.requestId));
  const deadline = Date.now() + 180_000;
  let arrivals: Arrival[] = [];
  for (;;) {
    arrivals = await target.arrivals();
    const received = new Set(arrivals.map((arrival) => arrival.requestId));
    if ([...wanted].every((id) => received.has(id)) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const result = account(acknowledged, arrivals);
  console.table([{ ...result, violations: undefined, failedRequests: load.failures }]);
  if (result.violations.length > 0) console.log(result.violations.slice(0, 5).join('\n'));
  expect(result.lost).toBe(0);
  expect(result.orderViolations).toBe(0);

  // The two processes left (the first and the one that joined) own every partition between them.
  const redis = new Redis(endpoints.redisUrl);
  try {
    const shares = async () => {
      const owners = Object.values(await redis.hgetall(partitionKeys(stack.prefix, 'target.redis.1').owners));
      return [...new Set(owners)].map((member) => owners.filter((owner) => owner === member).length).sort();
    };
    const settled = Date.now() + 30_000;
    while ((await shares()).join() !== '8,8' && Date.now() < settled)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await shares()).toEqual([8, 8]);
  } finally {
    redis.disconnect();
  }
  expect(stack.pid('redis', joined)).toBeDefined();
}, 600_000);
