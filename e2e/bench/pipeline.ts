// Benchmark (not a test) of the whole pipeline, as built for production:
// ingest, router and the target apps against the real local services.
//
//   pnpm bench                     (every package's benchmark; this one among them)
//   pnpm exec turbo run bench --filter=@bucket-events/e2e -- [--clients 32] [--seconds 20] [--size 4096]
//        [--rates 100,500,2000] [--latency-seconds 20] [--latency-warmup-seconds 5] [--latency-groups a,b/c,d]
//        [--outage-seconds 60] [--fsync true|false] [--targets redis,webhook] [--queues-url URL]
//        [--json .cache/bench/pipeline.json]
//
// Phases:
//   1. throughput: N clients PUT for a fixed time into a bucket whose rule sends to the Redis
//      target — PUT/s, p50/p99 PUT latency, and events/s each target sustained meanwhile;
//   2. latency: PUTs at each fixed rate into a bucket with a rule for a group of targets — the PUT's
//      own latency (p50/p99) and the time from each PUT's answer to its event being readable at
//      each target (p50/p99/max, on the bench's monotonic clock, to 0.01 ms), after a
//      warm-up at the same rate that is not measured (the first seconds of load ran slow even
//      on a freshly started, idle stack: JIT and caches of eight processes at once); by
//      default each streaming target alone, then the four together, then PostgreSQL and
//      Elasticsearch together
//      (--latency-groups redis/nats/kafka/amqp/redis,nats,kafka,amqp/postgresql,elasticsearch);
//   3. drain: every target app stopped for the outage while uploads continue, then started one
//      by one — how fast each target works off its backlog, from the app's start (start-up
//      included) and from its first delivery (sampled every 100 ms);
//   and the peak RSS of every process.
// Both build the apps' bundles first (turbo's `bench` depends on `^build`). The stack runs each app
// from its dist/main.mjs: `pnpm --filter @bucket-events/e2e bench` bypasses turbo and runs dist/ as it is.
// Environment: STACK_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) for every process of
// the stack; BENCH_DUMP_LATENCY=<path prefix> writes each latency group's (answer time, latency)
// pairs per target, to look at the tail over time.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type TargetKind, type TargetStatus, targetArn } from '@bucket-events/contracts';
import { clusterMasterOf, createRedis, isClusterUrl } from '@bucket-events/queue';
import { TargetStatusReader } from '@bucket-events/target-kit';
import { createS3Driver } from '@bucket-events/testing/s3-driver';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';
import { type Stack, startStack } from '../src/stack.ts';
import { cpuSeconds, pause, peakRssMiB } from './proc.ts';
import { benchTargets } from './readers.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    clients: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '20' },
    size: { type: 'string', default: '4096' },
    rates: { type: 'string', default: '100,500,2000' },
    /** Ingest's BUCKET_EVENTS_FSYNC (default on, as shipped): off shows what the disk's syncs cost. */
    fsync: { type: 'string', default: 'true' },
    /** One rate only (the option's name in earlier entries of docs/benchmarks.md). */
    rate: { type: 'string' },
    'latency-seconds': { type: 'string', default: '20' },
    'latency-warmup-seconds': { type: 'string', default: '5' },
    'outage-seconds': { type: 'string', default: '60' },
    'latency-groups': {
      type: 'string',
      default: 'redis/nats/kafka/amqp/redis,nats,kafka,amqp/postgresql,elasticsearch',
    },
    /** Only these target kinds (comma-separated; default every kind). */
    targets: { type: 'string' },
    /** Where the queues live (REDIS_URL of the stack; default the local Redis), e.g. the local Redis Cluster's URL. */
    'queues-url': { type: 'string' },
    /** The JSON report's path (relative: from where pnpm was run); default .cache/bench/pipeline.json at the repository root. */
    json: { type: 'string' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const size = Number(values.size);
const rates = (values.rate ?? values.rates).split(',').map(Number);
const latencySeconds = Number(values['latency-seconds']);
const latencyWarmupSeconds = Number(values['latency-warmup-seconds']);
const outageSeconds = Number(values['outage-seconds']);
/** Targets measured together in phase 2 (groups separated by `/`). */
const latencyGroups = values['latency-groups']
  .split('/')
  .map((group) => group.split(',').filter(Boolean) as TargetKind[]);
const endpoints = loadServiceEndpoints();

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
/** The machine's CPU counters so far (all cores, in ticks): busy, steal and the total. */
function machineTicks(): { busy: number; steal: number; total: number } {
  // cpu  user nice system idle iowait irq softirq steal ...
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const values = ticks.map(Number);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, steal: values[7] ?? 0, total };
}

/**
 * Waits (up to 60 s) while Redis rewrites its AOF or writes a snapshot: the forked child takes a
 * core of the two for seconds after a heavy phase, which is not the latency being measured.
 * Returns how long it waited, in seconds.
 */
async function redisSettled(redis: Redis): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    const info = await redis.info('persistence');
    if (!/aof_rewrite_in_progress:1|rdb_bgsave_in_progress:1/.test(info)) break;
    await pause(200);
  }
  return round((Date.now() - started) / 1000);
}

async function main() {
  const queuesUrl = values['queues-url'] ?? endpoints.redisUrl;
  const run = uniqueName('bench');
  const targets = await benchTargets(run, values.targets?.split(',') as TargetKind[] | undefined);
  const notify: Record<string, Record<string, object>> = {};
  for (const target of targets) notify[target.kind] = { '1': target.block };
  const stack: Stack = await startStack({
    config: { region: 'us-east-1', notify },
    targets: targets.map((t) => t.kind),
    redisUrl: queuesUrl,
    env: {
      LOG_LEVEL: 'warn',
      BUCKET_EVENTS_FSYNC: values.fsync,
      TARGET_RETRY_MAX_MS: '1000',
      TARGET_LOCK_MS: '5000',
    },
  });
  // Interrupted (Ctrl-C, `timeout`): stop the stack and forget its queues, which after a drain
  // phase hold ~100k jobs each; otherwise every interrupted run leaves them in Redis.
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`${signal}: stopping the stack and removing its keys from Redis`);
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  // The server that holds the queues (on a cluster, the master of the deployment's slot): its
  // persistence state and its CPU.
  const redis = isClusterUrl(queuesUrl)
    ? await clusterMasterOf(queuesUrl, stack.prefix).then(({ host, port }) => new Redis(port, host))
    : createRedis(queuesUrl);
  // What the admin API reads: heartbeats for delivered counts, queues for the backlog.
  const queues = createRedis(queuesUrl);
  const status = new TargetStatusReader(queues, { prefix: stack.prefix, redisUrl: queuesUrl });
  const statusOf = async (kind: TargetKind) =>
    (
      await status.read([{ kind, id: '1', arn: targetArn({ id: '1', kind }, 'us-east-1') }])
    )[0] as TargetStatus;
  const backlog = async (kind: TargetKind) => (await statusOf(kind)).backlog;
  const driver = createS3Driver({ endpoint: new URL(stack.endpoint).host, maxSockets: clients });
  const readers = new Map<TargetKind, Awaited<ReturnType<(typeof targets)[number]['open']>>>();
  const arnOf = (kind: TargetKind) => targetArn({ id: '1', kind }, 'us-east-1');
  const rule = (bucket: string, kinds: TargetKind[]) => {
    const xml = `<NotificationConfiguration>${kinds
      .map(
        (kind) =>
          `<QueueConfiguration><Queue>${arnOf(kind)}</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>`,
      )
      .join('')}</NotificationConfiguration>`;
    return driver.send('PUT', `/${bucket}?notification=`, Buffer.from(xml)).then((answer) => {
      if (answer.status !== 200) throw new Error(`PUT ?notification on ${bucket}: HTTP ${answer.status}`);
    });
  };
  try {
    for (const target of targets) readers.set(target.kind, await target.open());
    const body = Buffer.alloc(size, 'b');

    // 1. Throughput, notifications to the Redis target.
    await driver.send('PUT', '/throughput');
    await rule('throughput', ['redis']);
    const putLatencies: number[] = [];
    let errors = 0;
    let n = 0;
    const before = (await statusOf('redis')).delivered;
    // Where the CPU goes: each process's CPU per PUT, this benchmark's own process included (its
    // S3 client, almost all of it: the readers do not read in this phase).
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    const cpuParts = {
      ingest: () => cpuSeconds(stack.pid('ingest')),
      router: () => cpuSeconds(stack.pid('router')),
      'redis target': () => cpuSeconds(stack.pid('redis')),
      'Redis server': () => cpuSeconds(redisPid),
      'bench process': () => {
        const usage = process.cpuUsage();
        return (usage.user + usage.system) / 1e6;
      },
    };
    const readCpu = () => new Map(Object.entries(cpuParts).map(([part, read]) => [part, read()]));
    const cpuBefore = readCpu();
    const machineBefore = machineTicks();
    const started = Date.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        while (Date.now() < deadline) {
          const key = `/throughput/photos/c${client}/img-${n++}.jpg`;
          const t0 = performance.now();
          const answer = await driver.send('PUT', key, body).catch(() => ({ status: 0 }));
          putLatencies.push(performance.now() - t0);
          if (answer.status !== 200) errors += 1;
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    const machineAfter = machineTicks();
    const cpuMsPerPut = Object.fromEntries(
      [...readCpu()].map(([part, seconds]) => [
        part,
        round(((seconds - (cpuBefore.get(part) ?? Number.NaN)) * 1000) / Math.max(1, putLatencies.length), 3),
      ]),
    );
    const machineTotal = Math.max(1, machineAfter.total - machineBefore.total);
    const machineBusyPercent = round((100 * (machineAfter.busy - machineBefore.busy)) / machineTotal);
    const machineStealPercent = round((100 * (machineAfter.steal - machineBefore.steal)) / machineTotal);
    putLatencies.sort((a, b) => a - b);
    const redisSustained = ((await statusOf('redis')).delivered - before) / elapsed;
    // Let the Redis target finish before the next phase.
    for (let i = 0; i < 600 && (await backlog('redis')) > 0; i++) await pause(100);

    // 2. Latency at a fixed rate, per group of targets: the streaming targets together, then the
    //    stores (PostgreSQL, Elasticsearch), whose servers' indexing would otherwise take the CPU
    //    the others' latency is measured on (two cores for everything here).
    const latency: Record<string, object> = {};
    const settled: number[] = [];
    let buckets = 0;
    for (const rate of rates)
      for (const [group, kinds] of latencyGroups.entries()) {
        settled.push(await redisSettled(redis));
        const bucket = `latency${buckets++}`;
        await driver.send('PUT', `/${bucket}`);
        await rule(bucket, kinds);
        /** Measured PUTs: when each was answered, on the bench's monotonic clock. */
        const answeredAt = new Map<string, number>();
        const putMs: number[] = [];
        let putErrors = 0;
        for (const kind of kinds) readers.get(kind)?.watch?.(true);
        const warmup = rate * latencyWarmupSeconds;
        const total = warmup + rate * latencySeconds;
        const latencyStart = performance.now();
        const inFlight = new Set<Promise<unknown>>();
        for (let i = 0; i < total; i++) {
          const due = latencyStart + (i * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 1) await pause(wait);
          const measured = i >= warmup;
          const key = measured ? `${bucket}-p${i}.jpg` : `${bucket}-warmup${i}.jpg`;
          const sentAt = performance.now();
          const sent = driver.send('PUT', `/${bucket}/${key}`, body).then(
            (answer) => {
              if (answer.status !== 200) putErrors += 1;
              else if (measured) {
                const at = performance.now();
                answeredAt.set(key, at);
                putMs.push(at - sentAt);
              }
            },
            () => {
              putErrors += 1;
            },
          );
          inFlight.add(sent);
          void sent.finally(() => inFlight.delete(sent));
        }
        await Promise.all(inFlight);
        const groupReaders = kinds.map((kind) => [kind, readers.get(kind)] as const);
        const latencyDeadline = Date.now() + 60_000;
        while (Date.now() < latencyDeadline) {
          const done = groupReaders.every(([, reader]) =>
            [...answeredAt.keys()].every((key) => reader?.arrivals.has(key)),
          );
          if (done) break;
          await pause(200);
        }
        for (const kind of kinds) readers.get(kind)?.watch?.(false);
        if (process.env.BENCH_DUMP_LATENCY)
          writeFileSync(
            `${process.env.BENCH_DUMP_LATENCY}-${rate}-${group}.json`,
            JSON.stringify(
              Object.fromEntries(
                groupReaders.map(([kind, reader]) => [
                  kind,
                  [...answeredAt].map(([key, at]) => [at, (reader?.arrivals.get(key) ?? Number.NaN) - at]),
                ]),
              ),
            ),
          );
        putMs.sort((a, b) => a - b);
        for (const [kind, reader] of groupReaders) {
          const values = [...answeredAt]
            .map(([key, at]) =>
              reader?.arrivals.has(key) ? (reader.arrivals.get(key) as number) - at : Number.NaN,
            )
            .filter((value) => !Number.isNaN(value))
            .sort((a, b) => a - b);
          // A target measured in several groups at one rate gets one entry per group.
          let entry = `${kind} @${rate}`;
          if (entry in latency) entry = `${kind} (with ${kinds.join('+')}) @${rate}`;
          if (entry in latency) entry = `${entry} #${group + 1}`;
          latency[entry] = {
            with: kinds.join('+'),
            rate,
            events: values.length,
            of: answeredAt.size,
            putErrors,
            putP50Ms: round(percentile(putMs, 50), 2),
            putP99Ms: round(percentile(putMs, 99), 2),
            p50Ms: round(percentile(values, 50), 2),
            p99Ms: round(percentile(values, 99), 2),
            maxMs: round(values.at(-1) ?? Number.NaN, 2),
          };
        }
      }

    // 3. Drain after an outage of every target app.
    await driver.send('PUT', '/drain');
    await rule(
      'drain',
      targets.map((t) => t.kind),
    );
    // Stopped cleanly (SIGTERM drains), so the drain measures delivery, not lock expiry.
    for (const target of targets) await stack.kill(target.kind, 'SIGTERM');
    const outageEnd = Date.now() + outageSeconds * 1000;
    let drainPuts = 0;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        while (Date.now() < outageEnd) {
          await driver.send('PUT', `/drain/c${client}/${drainPuts++}.jpg`, body).catch(() => undefined);
        }
      }),
    );
    const drain: Record<string, object> = {};
    for (const target of targets) {
      const waiting = await backlog(target.kind);
      const t0 = Date.now();
      await stack.relaunch(target.kind);
      const limit = Date.now() + 600_000;
      // The first poll that sees the backlog shrink marks the end of the app's start-up.
      let firstDelivery: number | undefined;
      for (let left = waiting; left > 0 && Date.now() < limit; ) {
        await pause(100);
        left = await backlog(target.kind);
        if (firstDelivery === undefined && left < waiting) firstDelivery = Date.now();
      }
      const end = Date.now();
      // The app's own CPU per event, start-up included: steadier than the rate when the machine is shared.
      const appCpuSeconds = cpuSeconds(stack.pid(target.kind));
      const drainSeconds = (end - t0) / 1000;
      const deliverySeconds = (end - (firstDelivery ?? t0)) / 1000;
      drain[target.kind] = {
        backlog: waiting,
        seconds: round(drainSeconds),
        eventsPerSecond: Math.round(waiting / drainSeconds),
        startupSeconds: round(((firstDelivery ?? end) - t0) / 1000),
        deliveringEventsPerSecond: Math.round(waiting / Math.max(0.1, deliverySeconds)),
        appCpuMsPer1000Events: round((appCpuSeconds * 1e6) / Math.max(1, waiting)),
      };
    }

    const rss: Record<string, number> = {};
    for (const part of ['ingest', 'router', ...targets.map((t) => t.kind)] as const)
      rss[part] = peakRssMiB(stack.pid(part));

    const report = {
      date: new Date().toISOString(),
      machine: `${cpus().length} cores, ${Math.round(totalmem() / 1024 ** 3)} GiB`,
      queues: queuesUrl,
      throughput: {
        clients,
        seconds,
        objectBytes: size,
        fsync: values.fsync === 'true',
        puts: putLatencies.length,
        errors,
        putsPerSecond: Math.round(putLatencies.length / elapsed),
        p50Ms: round(percentile(putLatencies, 50), 2),
        p99Ms: round(percentile(putLatencies, 99), 2),
        redisTargetEventsPerSecond: Math.round(redisSustained),
        cpuMsPerPut,
        machineBusyPercent,
        machineStealPercent,
      },
      latency: {
        ratesPerSecond: rates,
        seconds: latencySeconds,
        warmupSeconds: latencyWarmupSeconds,
        groups: latencyGroups,
        putToReadableMs: latency,
      },
      drain: { outageSeconds, uploadsDuringOutage: drainPuts, perTarget: drain },
      peakRssMiB: rss,
    };
    console.log(`
Pipeline benchmark — ${report.machine}, ${report.date}, queues on ${report.queues}
1. ${clients} clients × ${seconds}s, ${size} B objects, fsync ${values.fsync === 'true' ? 'on' : 'off'}, rule → Redis target:
   ${report.throughput.putsPerSecond} PUT/s  p50 ${report.throughput.p50Ms} ms  p99 ${report.throughput.p99Ms} ms  errors ${errors}
   Redis target meanwhile: ${report.throughput.redisTargetEventsPerSecond} events/s
   CPU per PUT (ms): ${JSON.stringify(cpuMsPerPut)}; machine ${machineBusyPercent} % busy, ${machineStealPercent} % stolen
2. PUT latency and PUT answer → event readable, at ${rates.join(', ')} PUT/s for ${latencySeconds}s per group of targets after ${latencyWarmupSeconds}s of warm-up (first waited for Redis's background rewrites: ${settled.join(' s, ')} s):`);
    for (const [kind, row] of Object.entries(latency))
      console.log(`   ${kind.padEnd(14)} ${JSON.stringify(row)}`);
    console.log(
      `3. Drain after a ${outageSeconds}s outage of every target app (${drainPuts} uploads meanwhile):`,
    );
    for (const [kind, row] of Object.entries(drain))
      console.log(`   ${kind.padEnd(14)} ${JSON.stringify(row)}`);
    console.log(`Peak RSS (MiB): ${JSON.stringify(rss)}`);
    console.log(JSON.stringify(report));
    // A relative path is taken from where `pnpm` was run (INIT_CWD), not this package's folder.
    const reportPath = values.json
      ? resolve(process.env.INIT_CWD ?? process.cwd(), values.json)
      : new URL('../../.cache/bench/pipeline.json', import.meta.url).pathname;
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`report written to ${reportPath}`);
  } finally {
    for (const reader of readers.values()) await reader.close().catch(() => {});
    driver.close();
    await status.close();
    redis.disconnect();
    queues.disconnect();
    await stack.stop();
  }
}

await main();
process.exit(0);
