// Plans the fan-out of mutations: which target queues get which event, and the
// one job per target queue that carries a batch's events.
import {
  type MutationRecord,
  TARGET_BATCH_SCHEMA_VERSION,
  TARGET_JOB_SCHEMA_VERSION,
  type TargetBatch,
  type TargetJob,
} from '@bucket-events/contracts';
import { buildEventRecord, type EnrichOptions, viewOf } from './enrich.ts';
import { type CompiledRule, matchTargets } from './rules.ts';

/** One event bound for one target queue. */
export interface FanoutEvent {
  queue: string;
  event: TargetJob;
}

export interface FanoutPlan {
  mutation: MutationRecord;
  events: FanoutEvent[];
  /** ARNs named by a rule but not enabled in this router's configuration: counted, not delivered. */
  unknownArns: string[];
}

/** The job a target queue gets for one batch of mutations. */
export interface FanoutJob {
  queue: string;
  jobId: string;
  data: TargetBatch;
}

/**
 * Where a target's event for an object key goes: its queue's partition under the target's
 * current layout (contracts/partitions.ts). Without one, the target's queue itself.
 */
export type PlaceEvent = (queue: string, bucket: string, key: string) => string;

/** `queueByArn`: enabled targets' ARNs → their queue names. */
export function planFanout(
  mutation: MutationRecord,
  rules: CompiledRule[],
  queueByArn: ReadonlyMap<string, string>,
  options: EnrichOptions,
  place: PlaceEvent = (queue) => queue,
): FanoutPlan {
  const events: FanoutEvent[] = [];
  const unknownArns: string[] = [];
  for (const [arn, configurationId] of matchTargets(rules, mutation.eventName, mutation.key)) {
    const queue = queueByArn.get(arn);
    if (!queue) {
      unknownArns.push(arn);
      continue;
    }
    const event: TargetJob = {
      schemaVersion: TARGET_JOB_SCHEMA_VERSION,
      mutationId: mutation.id,
      sequencer: mutation.sequencer,
      bucket: mutation.bucket,
      key: mutation.key,
      arn,
      record: buildEventRecord(mutation, configurationId, options),
    };
    const view = viewOf(mutation, configurationId, options);
    if (view) event.view = view;
    events.push({ queue: place(queue, mutation.bucket, mutation.key), event });
  }
  return { mutation, events, unknownArns };
}

/**
 * One job per target queue with that queue's events of the batch, in commit
 * order. The job id is the batch's own, so routing a batch again (after a
 * router crash) adds nothing new.
 */
export function batchJobs(batchId: string, plans: readonly FanoutPlan[]): FanoutJob[] {
  const byQueue = new Map<string, TargetJob[]>();
  for (const plan of plans)
    for (const { queue, event } of plan.events) {
      const events = byQueue.get(queue);
      if (events) events.push(event);
      else byQueue.set(queue, [event]);
    }
  return [...byQueue].map(([queue, events]) => ({
    queue,
    jobId: batchId,
    data: { batchVersion: TARGET_BATCH_SCHEMA_VERSION, events },
  }));
}
