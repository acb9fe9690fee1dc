// Ingest's environment, parsed once at start-up; every bad variable is listed.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_METRICS_PORTS } from '@bucket-events/contracts';
import { z } from 'zod';
import { parseRedisDurability, type RedisDurability } from './outbox/durability.ts';
import { DEFAULT_ROUND_PACING, type LingerStep } from './outbox/pacing.ts';

const envSchema = z.object({
  /** S3 listen address, MinIO style `:9000` or `host:port`. */
  MINIO_ADDRESS: z.string().default(':9000'),
  /** Where object data and the metadata database live. */
  BUCKET_EVENTS_DATA_DIR: z.string().default(join(homedir(), '.bucket-events', 'data')),
  /** Redis for BullMQ (the mutations queue). */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** BullMQ key prefix shared by ingest, router and targets. */
  BUCKET_EVENTS_QUEUE_PREFIX: z.string().default('bull'),
  /** fsync each object's data before acknowledging it (turn off only for throw-away data). */
  BUCKET_EVENTS_FSYNC: z.enum(['true', 'false']).default('true'),
  /** Enables virtual-host style requests: `bucket.<MINIO_DOMAIN>`. */
  MINIO_DOMAIN: z.string().optional(),
  /** The status page's address, `host:port`; `off` for none. Loopback by default: it has no login. */
  BUCKET_EVENTS_CONSOLE_ADDRESS: z.string().default('127.0.0.1:9001'),
  /** `eventSource` of the records live listeners get (the router has the same variable). */
  BUCKET_EVENTS_EVENT_SOURCE: z.string().default('aws:s3'),
  /** `x-minio-deployment-id` of those records. */
  BUCKET_EVENTS_DEPLOYMENT_ID: z.string().default('bucket-events'),
  /**
   * While the relay moves at least 1,000 outbox rows/s, each round waits this long, so the next
   * carries more rows per job (from 200 rows/s it waits 2 ms); 0 never waits (outbox/pacing.ts).
   */
  BUCKET_EVENTS_RELAY_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1000)
    .default((DEFAULT_ROUND_PACING.steps.at(-1) as LingerStep).lingerMs),
  /** Port of ingest's /metrics, /healthz and /readyz; 0 turns them off. */
  BUCKET_EVENTS_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_METRICS_PORTS.ingest),
  /**
   * When the relay deletes outbox rows: `ack` once Redis accepted them; `fsync` once Redis wrote
   * them to disk (Redis must run appendfsync always); `replicas:N` once N replicas have them.
   */
  BUCKET_EVENTS_REDIS_DURABILITY: z
    .string()
    .default('ack')
    .superRefine((value, context) => {
      try {
        parseRedisDurability(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  /** Ingest reports itself not ready (/minio/health/ready 503) while the outbox's oldest mutation is older than this. */
  BUCKET_EVENTS_OUTBOX_STUCK_SECONDS: z.coerce.number().positive().default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`)
      .join('\n');
    throw new Error(`invalid environment:\n${problems}`);
  }
  const parsed = result.data;
  const match = /^(.*):(\d+)$/.exec(parsed.MINIO_ADDRESS);
  if (!match) throw new Error(`invalid environment:\n  - MINIO_ADDRESS: expected ":port" or "host:port"`);
  const consoleMatch = /^(.*):(\d+)$/.exec(parsed.BUCKET_EVENTS_CONSOLE_ADDRESS);
  if (parsed.BUCKET_EVENTS_CONSOLE_ADDRESS !== 'off' && !consoleMatch) {
    throw new Error(`invalid environment:\n  - BUCKET_EVENTS_CONSOLE_ADDRESS: expected "host:port" or "off"`);
  }
  return {
    console: consoleMatch ? { host: consoleMatch[1] || '0.0.0.0', port: Number(consoleMatch[2]) } : undefined,
    host: match[1] || '0.0.0.0',
    port: Number(match[2]),
    dataDir: parsed.BUCKET_EVENTS_DATA_DIR,
    redisUrl: parsed.REDIS_URL,
    queuePrefix: parsed.BUCKET_EVENTS_QUEUE_PREFIX,
    fsync: parsed.BUCKET_EVENTS_FSYNC === 'true',
    logLevel: parsed.LOG_LEVEL,
    domain: parsed.MINIO_DOMAIN,
    eventSource: parsed.BUCKET_EVENTS_EVENT_SOURCE,
    deploymentId: parsed.BUCKET_EVENTS_DEPLOYMENT_ID,
    relayLingerMs: parsed.BUCKET_EVENTS_RELAY_LINGER_MS,
    metricsPort: parsed.BUCKET_EVENTS_METRICS_PORT === 0 ? undefined : parsed.BUCKET_EVENTS_METRICS_PORT,
    outboxStuckSeconds: parsed.BUCKET_EVENTS_OUTBOX_STUCK_SECONDS,
    redisDurability: parseRedisDurability(parsed.BUCKET_EVENTS_REDIS_DURABILITY),
  };
}
