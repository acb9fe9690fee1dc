// The job the router puts on a target's queue: the enriched event record plus
// what the target kit needs to keep per-key order and to guard views.
import { z } from 'zod';
import { eventRecordSchema } from './event-record.ts';
import { sequencerSchema } from './mutation.ts';

export const TARGET_JOB_SCHEMA_VERSION = 1;

export const targetJobSchema = z.object({
  schemaVersion: z.literal(TARGET_JOB_SCHEMA_VERSION),
  mutationId: z.string(),
  sequencer: sequencerSchema,
  bucket: z.string(),
  /** Raw (not escaped) object key: the lane key is `<bucket>/<key>`. */
  key: z.string(),
  arn: z.string(),
  record: eventRecordSchema,
});

export type TargetJob = z.infer<typeof targetJobSchema>;

export function parseTargetJob(payload: unknown): TargetJob {
  return targetJobSchema.parse(payload);
}

/** One job id per mutation and queue (each target has its own queue), so re-adding is a no-op. */
export function targetJobId(sequencer: string): string {
  return `m-${sequencer}`;
}
