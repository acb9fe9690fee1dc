// Benchmark (not a test) of scaling a target by processes: for each target kind
// and process count, a stack with only that target (its app run as N processes
// sharing the partitions); the app is stopped while clients upload for a while,
// then its N processes start together and we time how fast they work off the
// backlog (events/s from their start, and all their CPU per 1,000 events).
// Then, under a light steady load, one more process joins: how long from its
// start to its first delivery.
//
//   pnpm --filter @bucket-events/e2e exec node --import tsx bench/scaling.ts -- \
//     [--kinds redis,kafka] [--processes 1,2] [--backlog-seconds 15] [--clients 32]
import { parseArgs } from 'node:util';
import {
  DEFAULT_TARGET_PARTITIONS,
  layoutQueueNames,
  type TargetKind,
  type TargetStatus,
  targetArn,
} from '@bucket-events/contracts';
import { TargetStatusReader } from '@bucket-events/target-kit';
import { createS3Driver } from '@bucket-events/testing/s3-driver';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';
import { startStack } from '../src/stack.ts';
import { cpuSeconds, pause } from './proc.ts';
import { benchTargets } from './readers.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    kinds: { type: 'string', default: 'redis,kafka' },
    processes: { type: 'string', default: '1,2' },
    'backlog-seconds': { type: 'string', default: '15' },
    clients: { type: 'string', default: '32' },
  },
});
const kinds = values.kinds.split(',') as TargetKind[];
const processCounts = values.processes.split(',').map(Number);
const backlogSeconds = Number(values['backlog-seconds']);
const clients = Number(values.clients);
const endpoints = loadServiceEndpoints();
const round = (value: number) => Math.round(value * 100) / 100;

async function measure(kind: TargetKind, processes: number) {
  const [target] = await benchTargets(uniqueName('scale'), [kind]);
  if (!target) throw new Error(`no bench target for ${kind}`);
  const reader = await target.open();
  const stack = await startStack({
    config: { region: 'us-east-1', notify: { [kind]: { '1': target.block } } },
    targets: [kind],
    replicas: { [kind]: processes },
    redisUrl: endpoints.redisUrl,
    env: { LOG_LEVEL: 'warn', TARGET_LOCK_MS: '5000' },
  });
  const redis = new Redis(endpoints.redisUrl);
  const status = new TargetStatusReader(redis, { prefix: stack.prefix, redisUrl: endpoints.redisUrl });
  const statusOf = async () =>
    (
      await status.read([{ kind, id: '1', arn: targetArn({ id: '1', kind }, 'us-east-1') }])
    )[0] as TargetStatus;
  const driver = createS3Driver({ endpoint: new URL(stack.endpoint).host, maxSockets: clients });
  try {
    await driver.send('PUT', '/scale');
    const xml = `<NotificationConfiguration><QueueConfiguration><Queue>${targetArn({ id: '1', kind }, 'us-east-1')}</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`;
    await driver.send('PUT', '/scale?notification=', Buffer.from(xml));
    // Let the processes join and own their partitions, then stop them all cleanly.
    while ((await statusOf()).instances.length < processes) await pause(100);
    for (let replica = 0; replica < processes; replica++) await stack.kill(kind, 'SIGTERM', replica);
    const body = Buffer.alloc(1024, 'b');
    const end = Date.now() + backlogSeconds * 1000;
    let puts = 0;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        while (Date.now() < end)
          await driver.send('PUT', `/scale/c${client}/${puts++}.jpg`, body).catch(() => undefined);
      }),
    );
    let waiting = (await statusOf()).backlog;
    for (let stable = 0; stable < 3; ) {
      await pause(200);
      const now = (await statusOf()).backlog;
      stable = now === waiting ? stable + 1 : 0;
      waiting = now;
    }
    const jobs = (
      await Promise.all(
        layoutQueueNames(`target.${kind}.1`, DEFAULT_TARGET_PARTITIONS).map((queue) =>
          redis.llen(`${stack.prefix}:${queue}:wait`),
        ),
      )
    ).reduce((total, n) => total + n, 0);
    const redisCpu = async () => {
      const info = await redis.info('cpu');
      const read = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
      return read('used_cpu_user') + read('used_cpu_sys');
    };
    const redisCpuBefore = await redisCpu();
    const t0 = Date.now();
    for (let replica = 0; replica < processes; replica++) await stack.relaunch(kind, replica);
    // The first poll that sees the backlog shrink marks the end of the processes' start-up.
    let firstDelivery: number | undefined;
    for (let left = waiting; left > 0; ) {
      await pause(100);
      left = (await statusOf()).backlog;
      if (firstDelivery === undefined && left < waiting) firstDelivery = Date.now();
    }
    const drainSeconds = (Date.now() - t0) / 1000;
    const deliveringSeconds = (Date.now() - (firstDelivery ?? t0)) / 1000;
    const redisCpuSeconds = (await redisCpu()) - redisCpuBefore;
    let cpu = 0;
    for (let replica = 0; replica < processes; replica++) cpu += cpuSeconds(stack.pid(kind, replica));

    // A process joining under a light steady load: start to its first delivery.
    let steady = true;
    const load = (async () => {
      for (let n = 0; steady; n++) {
        await driver.send('PUT', `/scale/steady/${n % 50}.jpg`, body).catch(() => undefined);
        await pause(5);
      }
    })();
    await pause(2000);
    const joinedAt = Date.now();
    const replica = stack.addReplica(kind);
    const pid = stack.pid(kind, replica);
    let firstDeliveryMs = Number.NaN;
    while (Date.now() - joinedAt < 60_000) {
      const joined = (await statusOf()).instances.find((i) => i.instance.includes(`:${pid}:`));
      if (joined && joined.delivered > 0) {
        firstDeliveryMs = Date.now() - joinedAt;
        break;
      }
      await pause(50);
    }
    steady = false;
    await load;
    return {
      kind,
      processes,
      backlog: waiting,
      eventsPerJob: round(waiting / Math.max(1, jobs)),
      drainSeconds: round(drainSeconds),
      eventsPerSecond: Math.round(waiting / drainSeconds),
      startupSeconds: round(drainSeconds - deliveringSeconds),
      deliveringEventsPerSecond: Math.round(waiting / Math.max(0.1, deliveringSeconds)),
      cpuMsPer1000Events: round((cpu * 1e6) / Math.max(1, waiting)),
      redisCpuMsPer1000Events: round((redisCpuSeconds * 1e6) / Math.max(1, waiting)),
      joinToFirstDeliveryMs: firstDeliveryMs,
    };
  } finally {
    await status.close();
    redis.disconnect();
    await stack.stop();
    await reader.close();
  }
}

const rows = [];
for (const kind of kinds) for (const processes of processCounts) rows.push(await measure(kind, processes));
console.table(rows);
console.log(JSON.stringify(rows));
