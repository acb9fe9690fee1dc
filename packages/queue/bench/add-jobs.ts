// What one job add costs, through BullMQ's Queue.add and through JobAdder: the
// Redis time per add (INFO commandstats, EVALSHA's usec) and this process's CPU
// per add, with --concurrent adds in flight, as the router makes them. Both
// add the same jobs (a target batch of --events events, with the pipeline's
// options) to a fresh queue; Redis should be otherwise idle.
// Run: pnpm --filter @bucket-events/queue bench -- [--adds 10000] [--concurrent 8] [--events 2] [--json]
import { parseArgs } from 'node:util';
import { forgetPrefix, loadServiceEndpoints, uniqueName } from '@bucket-events/testing/services';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JobAdder, type PlainJob } from '../src/add-job.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'), // pnpm passes its '--' on
  options: {
    adds: { type: 'string', default: '10000' },
    concurrent: { type: 'string', default: '8' },
    events: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const adds = Number(values.adds);
const concurrent = Number(values.concurrent);
const redisUrl = loadServiceEndpoints().redisUrl;
const prefix = uniqueName('addbench');
const redis = new Redis(redisUrl);

const event = {
  schemaVersion: 1,
  mutationId: '1',
  sequencer: '0000000000000001',
  bucket: 'b',
  key: 'photos/x.jpg',
};
const job = (id: string): PlainJob => ({
  id,
  name: `events:${values.events}`,
  data: {
    batchVersion: 1,
    events: Array.from({ length: Number(values.events) }, () => ({ ...event, record: 'r'.repeat(700) })),
  },
  opts: { removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: false },
});

async function measure(label: string, add: (job: PlainJob) => Promise<unknown>) {
  await add(job('warm-up'));
  await redis.config('RESETSTAT');
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrent }, async () => {
      while (next < adds) await add(job(`${label}-${next++}`));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const stats = (await redis.info('commandstats')).match(/cmdstat_evalsha:calls=(\d+),usec=(\d+)/);
  return {
    adds,
    addsPerSecond: Math.round(adds / seconds),
    redisMicrosPerAdd: stats ? Number((Number(stats[2]) / Number(stats[1])).toFixed(1)) : null,
    clientMicrosPerAdd: Number(((used.user + used.system) / adds).toFixed(1)),
  };
}

const queue = new Queue('bench', { prefix, connection: { url: redisUrl } });
const bullmq = await measure('bullmq', (j) => queue.add(j.name, j.data, { jobId: j.id, ...j.opts }));
await queue.close();
const connection = new Redis(redisUrl);
const adder = new JobAdder(connection, prefix);
const lean = await measure('adder', (j) => adder.add('bench', j));
connection.disconnect();
await forgetPrefix(redis, `${prefix}:`);
redis.disconnect();
const result = { concurrent, eventsPerJob: Number(values.events), bullmq, jobAdder: lean };
console.log(
  values.json
    ? JSON.stringify(result)
    : [
        `job adds, ${concurrent} in flight, ${values.events} events per job:`,
        ...Object.entries({ 'Queue.add': bullmq, JobAdder: lean }).map(
          ([name, r]) =>
            `  ${name.padEnd(10)} ${r.addsPerSecond} adds/s, Redis ${r.redisMicrosPerAdd} µs/add, client CPU ${r.clientMicrosPerAdd} µs/add`,
        ),
      ].join('\n'),
);
