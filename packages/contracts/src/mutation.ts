// The raw mutation record: what ingest commits in its outbox and the relay puts
// on the `mutations` queue. It carries everything the router needs to build the
// S3 event record without reading storage. Versioned: a consumer parses it with
// this schema and rejects versions it does not know.
import { z } from 'zod';
import { isBatchPayload } from './batch.ts';
import { EMITTED_EVENT_NAMES } from './event-names.ts';

export const MUTATION_SCHEMA_VERSION = 1;

/** 16 upper-case hex digits; strictly increasing per key in commit order. */
export const sequencerSchema = z.string().regex(/^[0-9A-F]{16}$/, 'expected 16 upper-case hex digits');

export function formatSequencer(counter: number | bigint): string {
  return counter.toString(16).toUpperCase().padStart(16, '0');
}

export const mutationRecordSchema = z.object({
  schemaVersion: z.literal(MUTATION_SCHEMA_VERSION),
  /** Unique id of this mutation (the outbox row id, as a decimal string). */
  id: z.string().min(1),
  sequencer: sequencerSchema,
  eventName: z.enum(EMITTED_EVENT_NAMES),
  /** ISO 8601 with milliseconds, UTC (`2016-09-08T22:34:38.226Z`). */
  eventTime: z.string(),
  bucket: z.string().min(1),
  /** The raw (not URL-encoded) object key. */
  key: z.string(),
  /** Size in bytes; 0 for removals. */
  size: z.number().int().nonnegative(),
  /** Hex ETag without quotes; empty for removals. */
  eTag: z.string(),
  contentType: z.string(),
  userMetadata: z.record(z.string(), z.string()),
  /** The object version this event is about, in a versioned bucket (absent for 'null' versions, as MinIO sends none). */
  versionId: z.string().min(1).optional(),
  /**
   * What the key's current object is after this mutation, where the event name alone does not say
   * it (deleting one version of a versioned key): 'unchanged' (a noncurrent version or delete marker
   * went), or the older version that became current. Namespace views follow it.
   */
  current: z
    .union([
      z.literal('unchanged'),
      z.object({
        size: z.number().int().nonnegative(),
        eTag: z.string(),
        contentType: z.string(),
        userMetadata: z.record(z.string(), z.string()),
        versionId: z.string().min(1),
      }),
    ])
    .optional(),
  /** The bucket's notification configuration version in force when this mutation committed (0 = none). */
  configVersion: z.number().int().nonnegative(),
  request: z.object({
    requestId: z.string(),
    principalId: z.string(),
    region: z.string(),
    sourceIp: z.string(),
    sourcePort: z.number().int().nonnegative(),
    userAgent: z.string(),
    /** The server endpoint that served the request, e.g. `http://127.0.0.1:9000`. */
    originEndpoint: z.string(),
    /** The Host header as the client sent it. */
    host: z.string(),
  }),
});

export type MutationRecord = z.infer<typeof mutationRecordSchema>;

/** Parses a dequeued payload; throws a ZodError naming every problem. */
export function parseMutationRecord(payload: unknown): MutationRecord {
  return mutationRecordSchema.parse(payload);
}

export const MUTATION_BATCH_SCHEMA_VERSION = 1;

/**
 * What one `mutations` job carries: the records of one relay round, in commit
 * order. One job per record cost several Redis round trips per mutation at
 * every stage; a batch costs them once.
 */
export const mutationBatchSchema = z.object({
  batchVersion: z.literal(MUTATION_BATCH_SCHEMA_VERSION),
  mutations: z.array(mutationRecordSchema).min(1),
});

export type MutationBatch = z.infer<typeof mutationBatchSchema>;

/** The records of a `mutations` job, in commit order: a batch, or a single record as earlier relays wrote. */
export function parseMutationJob(payload: unknown): MutationRecord[] {
  if (isBatchPayload(payload)) return mutationBatchSchema.parse(payload).mutations;
  return [parseMutationRecord(payload)];
}

/** The job id of a batch: its first record's sequencer, so re-publishing the same rows is a no-op. */
export function mutationBatchJobId(firstSequencer: string): string {
  return `b-${firstSequencer}`;
}
