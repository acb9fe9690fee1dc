// The router's environment, parsed once at start-up; every bad variable is listed.
// The variables all processes share come from @bucket-events/config.
import { metricsPortEnv, parseEnv, sharedEnvShape } from '@bucket-events/config';
import { z } from 'zod';

export const routerEnvSchema = z.object({
  ...sharedEnvShape,
  BUCKET_EVENTS_METRICS_PORT: metricsPortEnv('router'),
  BUCKET_EVENTS_EVENT_SOURCE: z
    .string()
    .default('aws:s3')
    .describe('`eventSource` of every record: the seed shows `aws:s3`; MinIO today sends `minio:s3`.'),
  BUCKET_EVENTS_DEPLOYMENT_ID: z
    .string()
    .default('bucket-events')
    .describe('`x-minio-deployment-id` of every record.'),
  ROUTER_CONCURRENCY: z.coerce
    .number()
    .int()
    .positive()
    .default(64)
    .describe('Batches of mutations taken ahead of the one being routed.'),
  ROUTER_LOCK_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(10_000)
    .describe('Leader and job lock lifetime (ms): how soon a standby router takes over after a crash.'),
});

export type RouterEnv = z.infer<typeof routerEnvSchema>;

export function parseRouterEnv(env: NodeJS.ProcessEnv = process.env): RouterEnv {
  return parseEnv(routerEnvSchema, env);
}
