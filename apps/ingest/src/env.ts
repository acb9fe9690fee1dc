// Ingest's environment, parsed once at start-up; every bad variable is listed.
// The variables all processes share come from @bucket-events/config; the root
// credentials and region are read by the config loader, declared here too.
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_ROOT_PASSWORD,
  DEFAULT_ROOT_USER,
  metricsPortEnv,
  parseEnv,
  sharedEnvShape,
} from '@bucket-events/config';
import { deploymentPrefix, isClusterUrl } from '@bucket-events/queue';
import { z } from 'zod';
import { parseRedisDurability, type RedisDurability } from './outbox/durability.ts';
import { DEFAULT_ROUND_PACING, type LingerStep } from './outbox/pacing.ts';

export const ingestEnvSchema = z.object({
  ...sharedEnvShape,
  MINIO_ADDRESS: z.string().default(':9000').describe('S3 listen address, `host:port` or `:port`.'),
  MINIO_ROOT_USER: z
    .string()
    .default(DEFAULT_ROOT_USER)
    .describe('Root access key (also `MINIO_ACCESS_KEY`); the default is for local use only.'),
  MINIO_ROOT_PASSWORD: z
    .string()
    .default(DEFAULT_ROOT_PASSWORD)
    .describe('Root secret key (also `MINIO_SECRET_KEY`).'),
  MINIO_DOMAIN: z
    .string()
    .optional()
    .describe('Enables virtual-host style requests: `bucket.<MINIO_DOMAIN>`.'),
  BUCKET_EVENTS_DATA_DIR: z
    .string()
    .optional()
    .describe('Object data and the SQLite metadata/outbox database; default `~/.bucket-events/data`.'),
  BUCKET_EVENTS_FSYNC: z
    .enum(['true', 'false'])
    .default('true')
    .describe("fsync each object's data before answering (turn off only for throw-away data)."),
  BUCKET_EVENTS_CONSOLE_ADDRESS: z
    .string()
    .default('127.0.0.1:9001')
    .describe('The status page, `host:port`; `off` for none. Loopback by default: it has no login.'),
  BUCKET_EVENTS_METRICS_PORT: metricsPortEnv('ingest'),
  BUCKET_EVENTS_EVENT_SOURCE: z
    .string()
    .default('aws:s3')
    .describe("`eventSource` of the records live listeners get (as the router's)."),
  BUCKET_EVENTS_DEPLOYMENT_ID: z
    .string()
    .default('bucket-events')
    .describe('`x-minio-deployment-id` of those records.'),
  BUCKET_EVENTS_RELAY_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1000)
    .default((DEFAULT_ROUND_PACING.steps.at(-1) as LingerStep).lingerMs)
    .describe(
      "The relay's wait per round above 1,000 rows/s, so jobs carry more rows under load (below that rate rounds never wait); `0`: no wait at any rate.",
    ),
  BUCKET_EVENTS_REDIS_DURABILITY: z
    .string()
    .default('ack')
    .superRefine((value, context) => {
      try {
        parseRedisDurability(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .describe(
      'When outbox rows are deleted: `ack` once Redis accepted them; `fsync` once on its disk (Redis must run `appendfsync always`); `replicas:N` once N replicas have them. On a Redis Cluster only `ack` so far.',
    ),
  BUCKET_EVENTS_OUTBOX_STUCK_SECONDS: z.coerce
    .number()
    .positive()
    .default(30)
    .describe("`/minio/health/ready` answers 503 while the outbox's oldest mutation is older than this."),
});

export interface IngestEnv {
  host: string;
  port: number;
  dataDir: string;
  redisUrl: string;
  queuePrefix: string;
  fsync: boolean;
  logLevel: string;
  domain: string | undefined;
  eventSource: string;
  deploymentId: string;
  relayLingerMs: number;
  metricsPort: number | undefined;
  outboxStuckSeconds: number;
  redisDurability: RedisDurability;
  console: { host: string; port: number } | undefined;
}

export function parseIngestEnv(env: NodeJS.ProcessEnv = process.env): IngestEnv {
  const parsed = parseEnv(ingestEnvSchema, env);
  const match = /^(.*):(\d+)$/.exec(parsed.MINIO_ADDRESS);
  if (!match) throw new Error(`invalid environment:\n  - MINIO_ADDRESS: expected ":port" or "host:port"`);
  const consoleMatch = /^(.*):(\d+)$/.exec(parsed.BUCKET_EVENTS_CONSOLE_ADDRESS);
  if (parsed.BUCKET_EVENTS_CONSOLE_ADDRESS !== 'off' && !consoleMatch) {
    throw new Error(`invalid environment:\n  - BUCKET_EVENTS_CONSOLE_ADDRESS: expected "host:port" or "off"`);
  }
  const redisDurability = parseRedisDurability(parsed.BUCKET_EVENTS_REDIS_DURABILITY);
  // WAIT counts the replicas of the connection's own writes; a cluster client sends it to whichever
  // node it picks, whose answer would confirm nothing.
  if (redisDurability.mode !== 'ack' && isClusterUrl(parsed.REDIS_URL)) {
    throw new Error(
      `invalid environment:\n  - BUCKET_EVENTS_REDIS_DURABILITY: "${parsed.BUCKET_EVENTS_REDIS_DURABILITY}" is not supported with a redis-cluster:// REDIS_URL yet (only "ack")`,
    );
  }
  return {
    console: consoleMatch ? { host: consoleMatch[1] || '0.0.0.0', port: Number(consoleMatch[2]) } : undefined,
    host: match[1] || '0.0.0.0',
    port: Number(match[2]),
    dataDir: parsed.BUCKET_EVENTS_DATA_DIR ?? join(homedir(), '.bucket-events', 'data'),
    redisUrl: parsed.REDIS_URL,
    queuePrefix: deploymentPrefix(parsed.REDIS_URL, parsed.BUCKET_EVENTS_QUEUE_PREFIX),
    fsync: parsed.BUCKET_EVENTS_FSYNC === 'true',
    logLevel: parsed.LOG_LEVEL,
    domain: parsed.MINIO_DOMAIN,
    eventSource: parsed.BUCKET_EVENTS_EVENT_SOURCE,
    deploymentId: parsed.BUCKET_EVENTS_DEPLOYMENT_ID,
    relayLingerMs: parsed.BUCKET_EVENTS_RELAY_LINGER_MS,
    metricsPort: parsed.BUCKET_EVENTS_METRICS_PORT === 0 ? undefined : parsed.BUCKET_EVENTS_METRICS_PORT,
    outboxStuckSeconds: parsed.BUCKET_EVENTS_OUTBOX_STUCK_SECONDS,
    redisDurability,
  };
}
