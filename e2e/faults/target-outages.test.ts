// Each target's server is stopped in turn during one stream of 2,000 uploads:
// while it is down, the other five keep receiving everything (isolation); once
// it is back, it receives everything it missed. At the end every target holds
// all 2,000 events, each key's events in order. Runs in the fault phase of
// scripts/test, alone, because it stops shared services.
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { TARGET_KINDS, targetArn } from '@bucket-events/contracts';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Stack, startStack } from '../src/stack.ts';
import { type Arrival, type OutageTarget, outageTargets, progressOf } from './outage-targets.ts';

const UPLOADS = 2000;
const KEYS = 50;
const BUCKET = 'outages';

let targets: OutageTarget[];
let stack: Stack;

beforeAll(async () => {
  targets = await outageTargets(uniqueName);
  for (const target of targets) await target.prepare();
  const notify = Object.fromEntries(targets.map((target) => [target.kind, { '1': target.block }]));
  stack = await startStack({
    config: { region: 'us-east-1', notify },
    targets: [...TARGET_KINDS],
    redisUrl: loadServiceEndpoints().redisUrl,
    env: { TARGET_RETRY_MAX_MS: '2000' },
  });
  await stack.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await stack.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      NotificationConfiguration: {
        QueueConfigurations: targets.map((target) => ({
          QueueArn: targetArn({ id: '1', kind: target.kind }, 'us-east-1'),
          Events: ['s3:ObjectCreated:*'],
        })),
      },
    }),
  );
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  for (const target of targets ?? []) {
    await target.startServer().catch(() => {}); // never leave a shared service down
    await target.cleanup().catch(() => {});
  }
}, 600_000);

let uploaded = 0;
async function upload(count: number) {
  const end = uploaded + count;
  const workers = Array.from({ length: 8 }, async () => {
    while (uploaded < end) {
      const n = uploaded++;
      await stack.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `k${n % KEYS}.jpg`, Body: `upload ${n}` }),
      );
    }
  });
  await Promise.all(workers);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what} (logs: ${stack.logDir})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const caughtUp = (target: OutageTarget, expected: number) => async () =>
  (await progressOf(target).catch(() => 0)) >= expected;

function expectCompleteAndOrdered(kind: string, arrivals: Arrival[]) {
  const firsts = arrivals.filter(
    (arrival, index) => arrivals.findIndex((a) => a.sequencer === arrival.sequencer) === index,
  );
  expect(firsts, `${kind}: distinct events`).toHaveLength(UPLOADS);
  const last = new Map<string, string>();
  for (const { key, sequencer } of firsts) {
    const previous = last.get(key);
    expect(
      previous === undefined || sequencer > previous,
      `${kind} ${key}: ${sequencer} after ${previous}`,
    ).toBe(true);
    last.set(key, sequencer);
  }
  expect(last.size, `${kind}: keys`).toBe(KEYS);
}

it(
  'stops each target server in turn during 2,000 uploads: nothing lost, per-key order kept, the others unaffected',
  async () => {
    const chunk = Math.floor(UPLOADS / (targets.length + 1));
    for (const down of targets) {
      await down.stopServer();
      await upload(chunk);
      // While one target is down, the other five receive everything uploaded so far.
      for (const other of targets.filter((t) => t !== down)) {
        await until(
          caughtUp(other, uploaded),
          `${other.kind} caught up while ${down.kind} was down`,
          120_000,
        );
      }
      await down.startServer();
    }
    await upload(UPLOADS - uploaded);
    for (const target of targets) {
      await until(caughtUp(target, UPLOADS), `${target.kind} received all ${UPLOADS}`, 300_000);
    }
    for (const target of targets) expectCompleteAndOrdered(target.kind, await target.arrivals());
  },
  20 * 60_000,
);
