// The kit's own ceiling: one runTarget with a sink that accepts everything at
// once, draining N queued events over K keys from the real Redis. What is left
// is queue work: taking, lock renewal, completion. Jobs carry --per-job events
// each, as the router makes them (1 = one job per event, as before batching).
// Prints events/s (and JSON with --json).
// The queue is split into --partitions partitions (default 16), as the router does.
// Run: pnpm --filter @bucket-events/target-kit bench -- --events 20000 [--per-job 50] [--partitions 16]
import { parseArgs } from 'node:util';
import type { TargetJob } from '@bucket-events/contracts';
import { targetQueueName } from '@bucket-events/contracts';
import { forgetPrefix, loadServiceEndpoints, uniqueName } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { runTarget } from '../src/run-target.ts';
import type { TargetSink } from '../src/sink.ts';
import { PartitionedTestQueue } from '../src/test-queue.ts';
import { enqueue, enqueueBatches, orderViolation, targetJob } from '../test/jobs.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'), // pnpm passes its '--' on
  options: {
    events: { type: 'string', default: '20000' },
    keys: { type: 'string', default: '500' },
    'per-job': { type: 'string', default: '50' },
    partitions: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
  },
});
const events = Number(values.events);
const keys = Number(values.keys);
const perJob = Number(values['per-job']);
const partitions = Number(values.partitions);
const redisUrl = loadServiceEndpoints().redisUrl;
const prefix = uniqueName('kitbench');
const target = { kind: 'bench', id: '1', arn: 'arn:minio:sqs:us-east-1:1:bench' };
const queueName = targetQueueName(target as never);
const queue = new PartitionedTestQueue({ base: queueName, layout: partitions, prefix, redisUrl });

const jobs = Array.from({ length: events }, (_, i) => targetJob(`k${i % keys}`));
if (perJob <= 1) {
  for (let from = 0; from < jobs.length; from += 1000) await enqueue(queue, jobs.slice(from, from + 1000));
} else {
  const groups: TargetJob[][] = [];
  for (let from = 0; from < jobs.length; from += perJob) groups.push(jobs.slice(from, from + perJob));
  for (let from = 0; from < groups.length; from += 100)
    await enqueueBatches(queue, groups.slice(from, from + 100));
}

const delivered: TargetJob[] = [];
let finished: () => void = () => {};
const done = new Promise<void>((resolve) => {
  finished = resolve;
});
const sink: TargetSink = {
  async connect() {},
  async write(batch) {
    delivered.push(...batch);
    if (delivered.length >= events) finished();
    return undefined;
  },
  async close() {},
  classify: () => 'retry',
};
const started = performance.now();
const running = await runTarget({
  target: { ...target, queue: queueName, partitions },
  sink,
  redisUrl,
  prefix,
  log: pino({ level: 'warn' }),
});
await done;
const seconds = (performance.now() - started) / 1000;
await running.close();
await queue.close();
const redis = new Redis(redisUrl);
await forgetPrefix(redis, `${prefix}:`);
redis.disconnect();
const result = {
  events,
  keys,
  eventsPerJob: perJob,
  partitions,
  seconds: Number(seconds.toFixed(2)),
  eventsPerSecond: Math.round(events / seconds),
  orderViolation: orderViolation(delivered) ?? null,
};
console.log(
  values.json
    ? JSON.stringify(result)
    : `kit, no-op sink: ${events} events over ${keys} keys, ${perJob} per job, in ${result.seconds} s = ${result.eventsPerSecond} events/s; per-key order ${result.orderViolation ?? 'kept'}`,
);
