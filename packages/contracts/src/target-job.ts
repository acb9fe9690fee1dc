// The job the router puts on a target's queue: the enriched event record plus
// what the target kit needs to keep per-key order and to guard views.
import { z } from 'zod';
import { isBatchPayload } from './batch.ts';
import { removesObject } from './event-names.ts';
import { type EventRecord, eventRecordSchema, storeDocument } from './event-record.ts';
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
  /**
   * For namespace views, when the event alone does not say what the key shows now (deleting one
   * version of a versioned key): 'unchanged', or the record describing the version that became
   * current (the deletion's record with that version as its object).
   */
  view: z.union([z.literal('unchanged'), z.object({ current: eventRecordSchema })]).optional(),
});

export type TargetJob = z.infer<typeof targetJobSchema>;

export function parseTargetJob(payload: unknown): TargetJob {
  return targetJobSchema.parse(payload);
}

/** One job id per mutation and queue (each target has its own queue), so re-adding is a no-op. */
export function targetJobId(sequencer: string): string {
  return `m-${sequencer}`;
}

export const TARGET_BATCH_SCHEMA_VERSION = 1;

/**
 * What one target job carries: the events of one routed mutation batch that go
 * to this target, in commit order. The kit puts each into its key's lane and
 * completes the job once every one of them is confirmed or dead-lettered.
 */
export const targetBatchSchema = z.object({
  batchVersion: z.literal(TARGET_BATCH_SCHEMA_VERSION),
  events: z.array(targetJobSchema).min(1),
});

export type TargetBatch = z.infer<typeof targetBatchSchema>;

/** The events of a target job, in order: a batch, or a single event (re-driven letters, tests). */
export function parseTargetJobs(payload: unknown): TargetJob[] {
  if (isBatchPayload(payload)) return targetBatchSchema.parse(payload).events;
  return [parseTargetJob(payload)];
}

/**
 * A batch job's name says how many events it carries (`events:<n>`), so that a
 * backlog can be counted in events from job names alone (see the queue
 * package's countQueuedUnits); a job with any other name carries one event.
 */
export const EVENT_COUNT_NAME_PREFIX = 'events:';

export function targetBatchJobName(events: number): string {
  return `${EVENT_COUNT_NAME_PREFIX}${events}`;
}

/**
 * Most events one target job carries: the router appends a batch's events to a partition's newest
 * waiting job while it has room (the queue is behind), and starts a new job beyond this.
 */
export const TARGET_JOB_MAX_EVENTS = 200;

/** What a namespace view (one entry per object) does with a job: nothing, remove the entry, or set it. */
export type NamespaceChange =
  | { kind: 'none' }
  | { kind: 'remove' }
  | { kind: 'set'; document: { Records: [EventRecord] } };

export function namespaceChange(job: TargetJob): NamespaceChange {
  if (job.view === 'unchanged') return { kind: 'none' };
  if (job.view) return { kind: 'set', document: storeDocument(job.view.current) };
  if (removesObject(job.record.eventName)) return { kind: 'remove' };
  return { kind: 'set', document: storeDocument(job.record) };
}
