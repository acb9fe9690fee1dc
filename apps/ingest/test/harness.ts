// Starts a real ingest server for a test: its own data folder, its own BullMQ
// prefix on the real Redis, a free port, and clients pointed at it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { MUTATIONS_QUEUE, type MutationRecord, parseMutationJob } from '@bucket-events/contracts';
import { buildConfig } from '@bucket-events/targets';
import { Queue } from 'bullmq';
import * as Minio from 'minio';
import { pino } from 'pino';
import { type RunningIngest, startIngest } from '../src/app.ts';
import type { RedisDurability } from '../src/outbox/durability.ts';

export const ACCESS_KEY = 'minioadmin';
export const SECRET_KEY = 'minioadmin';

/** Targets enabled in the test config (only their ARNs matter to ingest). */
export const TEST_CONFIG_DOCUMENT = {
  region: 'us-east-1',
  notify: {
    amqp: { '1': { enable: true, url: 'amqp://127.0.0.1:5672', exchange: 'bucketevents' } },
    redis: { '1': { enable: true, address: '127.0.0.1:6379', key: 'bucketevents', format: 'access' } },
    kafka: { '1': { enable: true, brokers: ['127.0.0.1:9092'], topic: 'bucketevents' } },
    nats: { primary: { enable: true, address: '127.0.0.1:4222', subject: 'bucketevents' } },
  },
};

export interface TestIngest {
  ingest: RunningIngest;
  endpoint: string;
  dataDir: string;
  s3: S3Client;
  mutations: Queue;
  /** Every raw mutation job currently in the queue, in sequencer order. */
  mutationRecords(): Promise<MutationRecord[]>;
  stop(): Promise<void>;
}

export async function startTestIngest(
  redisUrl: string,
  prefix: string,
  options: {
    dataDir?: string;
    domain?: string;
    metricsPort?: number;
    outboxStuckSeconds?: number;
    redisDurability?: RedisDurability;
  } = {},
): Promise<TestIngest> {
  const dataDir = options.dataDir;
  // In a private parent folder, so a test can check that nothing appeared next to
  // the data folder without seeing what parallel tests put in the shared tmpdir.
  const dir = dataDir ?? join(mkdtempSync(join(tmpdir(), 'ingest-')), 'data');
  const config = buildConfig(TEST_CONFIG_DOCUMENT, {}, 'test');
  const ingest = await startIngest({
    config,
    dataDir: dir,
    redisUrl,
    queuePrefix: prefix,
    host: '127.0.0.1',
    port: 0,
    fsync: false,
    domain: options.domain,
    metricsPort: options.metricsPort,
    outboxStuckSeconds: options.outboxStuckSeconds,
    redisDurability: options.redisDurability,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const s3 = new S3Client({
    endpoint: ingest.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  const mutations = new Queue(MUTATIONS_QUEUE, { prefix, connection: { url: redisUrl } });
  return {
    ingest,
    endpoint: ingest.endpoint,
    dataDir: dir,
    s3,
    mutations,
    mutationRecords: () => readMutationRecords(mutations),
    async stop() {
      s3.destroy();
      await mutations.close();
      await ingest.close();
      if (!dataDir) rmSync(dirname(dir), { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The S3 error a client call failed with (code, HTTP status, message); fails the test if it succeeded. */
export async function s3Error(
  promise: Promise<unknown>,
): Promise<{ code: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) {
      return { code: error.name, status: error.$metadata.httpStatusCode, message: error.message };
    }
    throw error;
  }
  throw new Error('expected an S3 error');
}

/** Just the S3 error code of a failed call ('no error' when it succeeded). */
export async function s3ErrorCode(promise: Promise<unknown>): Promise<string> {
  return s3Error(promise).then(
    (error) => error.code,
    (error: Error) => (error.message === 'expected an S3 error' ? 'no error' : Promise.reject(error)),
  );
}

export { freePort } from '@bucket-events/testing';

/** Every raw mutation job in the queue, whatever its state, in sequencer order. */
export async function readMutationRecords(mutations: Queue): Promise<MutationRecord[]> {
  const jobs = await mutations.getJobs([
    'waiting',
    'active',
    'completed',
    'delayed',
    'failed',
    'prioritized',
  ]);
  return jobs
    .flatMap((job) => parseMutationJob(job.data))
    .sort((a, b) => (a.sequencer < b.sequencer ? -1 : 1));
}

/** A MinIO SDK client for a test server. */
export function minioClient(endpoint: string): Minio.Client {
  return new Minio.Client({
    endPoint: '127.0.0.1',
    port: Number(new URL(endpoint).port),
    useSSL: false,
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    region: 'us-east-1',
    pathStyle: true,
  });
}
