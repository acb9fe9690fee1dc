// The leading router's ceiling: N mutation records (in relay-sized batch jobs)
// wait in the `mutations` queue; one router routes them all to one target
// (--partitions, default 16 as by default) and we time it. What is measured is the
// router alone — rules, enrichment, fan-out adds — with the queue pre-filled,
// so nothing upstream limits it. Prints mutations/s and the router's CPU per
// 1,000 mutations (JSON with --json).
// Run: pnpm --filter @bucket-events/router-app bench -- --mutations 50000 [--per-job 50]
import { parseArgs } from 'node:util';
import {
  formatSequencer,
  MUTATION_BATCH_SCHEMA_VERSION,
  MUTATION_SCHEMA_VERSION,
  MUTATIONS_QUEUE,
  type MutationRecord,
  mutationBatchJobId,
  notificationConfigKey,
} from '@bucket-events/contracts';
import { JobAdder } from '@bucket-events/queue';
import { buildConfig } from '@bucket-events/targets';
import { forgetPrefix, loadServiceEndpoints, uniqueName } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startRouter } from '../src/service.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    mutations: { type: 'string', default: '50000' },
    'per-job': { type: 'string', default: '50' },
    keys: { type: 'string', default: '1000' },
    partitions: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
  },
});
const total = Number(values.mutations);
const perJob = Number(values['per-job']);
const keys = Number(values.keys);
const redisUrl = loadServiceEndpoints().redisUrl;
const prefix = uniqueName('routerbench');
const bucket = 'bench';
const config = buildConfig(
  {
    region: 'us-east-1',
    notify: { redis: { '1': { enable: true, address: '127.0.0.1:6379', key: 'bench' } } },
  },
  {},
  'bench',
);
const arn = 'arn:minio:sqs:us-east-1:1:redis';
const redis = new Redis(redisUrl);
await redis.set(
  notificationConfigKey(prefix, bucket, 1),
  JSON.stringify({
    queueConfigurations: [
      { id: 'all', arn, events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'], filterRules: [] },
    ],
  }),
);
const record = (n: number): MutationRecord => ({
  schemaVersion: MUTATION_SCHEMA_VERSION,
  id: formatSequencer(n),
  sequencer: formatSequencer(n),
  eventName: 's3:ObjectCreated:Put',
  eventTime: new Date().toISOString(),
  bucket,
  key: `photos/k${n % keys}.jpg`,
  size: 1024,
  eTag: 'd41d8cd98f00b204e9800998ecf8427e',
  contentType: 'image/jpeg',
  userMetadata: {},
  configVersion: 1,
  request: {
    requestId: `R${n}`,
    principalId: 'minioadmin',
    region: 'us-east-1',
    sourceIp: '127.0.0.1',
    sourcePort: 50000,
    userAgent: 'bench',
    originEndpoint: 'http://127.0.0.1:9000',
    host: '127.0.0.1:9000',
  },
});
const adder = new JobAdder(redis, prefix);
for (let first = 1; first <= total; first += perJob) {
  const mutations = Array.from({ length: Math.min(perJob, total - first + 1) }, (_, i) => record(first + i));
  await adder.add(MUTATIONS_QUEUE, {
    id: mutationBatchJobId(formatSequencer(first)),
    name: `mutations:${mutations.length}`,
    data: { batchVersion: MUTATION_BATCH_SCHEMA_VERSION, mutations },
    opts: { removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: false },
  });
}

const cpuBefore = process.cpuUsage();
const started = performance.now();
const router = startRouter({
  config,
  redisUrl,
  prefix,
  eventSource: 'minio:s3',
  deploymentId: 'bench',
  concurrency: 16,
  log: pino({ level: 'warn' }),
});
await router.leading;
while (router.stats.routed < total) await new Promise((resolve) => setTimeout(resolve, 5));
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
await router.close();
await forgetPrefix(redis, `${prefix}:`);
redis.disconnect();
const result = {
  mutations: total,
  mutationsPerJob: perJob,
  partitions: Number(values.partitions),
  seconds: Number(seconds.toFixed(2)),
  mutationsPerSecond: Math.round(total / seconds),
  routerCpuMsPer1000: Number((((cpu.user + cpu.system) / 1000 / total) * 1000).toFixed(1)),
};
console.log(values.json ? JSON.stringify(result) : result);
