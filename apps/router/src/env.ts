// The router's environment, parsed once at start-up; every bad variable is listed.
import { DEFAULT_METRICS_PORTS } from '@bucket-events/contracts';
import { z } from 'zod';

const envSchema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  BUCKET_EVENTS_QUEUE_PREFIX: z.string().default('bull'),
  /** `eventSource` of every record: the seed shows `aws:s3`; MinIO today sends `minio:s3`. */
  BUCKET_EVENTS_EVENT_SOURCE: z.string().default('aws:s3'),
  /** `x-minio-deployment-id` of every record. */
  BUCKET_EVENTS_DEPLOYMENT_ID: z.string().default('bucket-events'),
  /** Raw mutations routed at once. */
  ROUTER_CONCURRENCY: z.coerce.number().int().positive().default(64),
  /** Leader and job lock lifetime in ms: how soon a standby router takes over after a crash. */
  ROUTER_LOCK_MS: z.coerce.number().int().min(1000).default(10_000),
  /** Port of the router's /metrics, /healthz and /readyz; 0 turns them off. */
  BUCKET_EVENTS_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_METRICS_PORTS.router),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type RouterEnv = z.infer<typeof envSchema>;

export function parseRouterEnv(env: NodeJS.ProcessEnv = process.env): RouterEnv {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new Error(
      `invalid environment:\n${result.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`).join('\n')}`,
    );
  }
  return result.data;
}
