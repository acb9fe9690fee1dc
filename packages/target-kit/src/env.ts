// A target app's environment, parsed once at start-up; every bad variable is
// listed. The variables all processes share come from @bucket-events/config;
// the metrics port's default depends on the kind, so all six apps run side by side.
import { metricsPortEnv, sharedEnvShape } from '@bucket-events/config';
import type { TargetKind } from '@bucket-events/contracts';
import { z } from 'zod';

/** A target app's own variables (without the shared ones and the metrics port). */
export const targetEnvShape = {
  TARGET_MAX_IN_FLIGHT: z.coerce
    .number()
    .int()
    .positive()
    .default(2000)
    .describe('Events held at once per target (taken from the queue, not yet confirmed).'),
  TARGET_BATCH_SIZE: z.coerce
    .number()
    .int()
    .positive()
    .default(500)
    .describe('Most events per write; larger batches form only while a backlog waits.'),
  TARGET_RETRY_MAX_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(30_000)
    .describe('Longest wait between two attempts (a retry or a reconnect), in ms.'),
  TARGET_WRITE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(30_000)
    .describe(
      'A write the target has not answered within this many ms counts as a dropped connection: the app reconnects and writes again.',
    ),
  TARGET_LOCK_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(10_000)
    .describe(
      "Job lock lifetime in ms: a crashed process's partitions pass to the others within about this long (its group lease is half of it, at least 2 s).",
    ),
} as const;

export function targetEnvSchema(kind: TargetKind) {
  return z.object({ ...sharedEnvShape, BUCKET_EVENTS_METRICS_PORT: metricsPortEnv(kind), ...targetEnvShape });
}
