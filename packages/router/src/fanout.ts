// Plans the fan-out of one mutation: which target queues get which job.
import {
  type MutationRecord,
  TARGET_JOB_SCHEMA_VERSION,
  type TargetJob,
  targetJobId,
} from '@bucket-events/contracts';
import { buildEventRecord, type EnrichOptions } from './enrich.ts';
import { type CompiledRule, matchTargets } from './rules.ts';

export interface FanoutJob {
  queue: string;
  jobId: string;
  data: TargetJob;
}

export interface FanoutPlan {
  mutation: MutationRecord;
  jobs: FanoutJob[];
  /** ARNs named by a rule but not enabled in this router's configuration: counted, not delivered. */
  unknownArns: string[];
}

/** `queueByArn`: enabled targets' ARNs → their queue names. */
export function planFanout(
  mutation: MutationRecord,
  rules: CompiledRule[],
  queueByArn: ReadonlyMap<string, string>,
  options: EnrichOptions,
): FanoutPlan {
  const jobs: FanoutJob[] = [];
  const unknownArns: string[] = [];
  for (const [arn, configurationId] of matchTargets(rules, mutation.eventName, mutation.key)) {
    const queue = queueByArn.get(arn);
    if (!queue) {
      unknownArns.push(arn);
      continue;
    }
    jobs.push({
      queue,
      jobId: targetJobId(mutation.sequencer),
      data: {
        schemaVersion: TARGET_JOB_SCHEMA_VERSION,
        mutationId: mutation.id,
        sequencer: mutation.sequencer,
        bucket: mutation.bucket,
        key: mutation.key,
        arn,
        record: buildEventRecord(mutation, configurationId, options),
      },
    });
  }
  return { mutation, jobs, unknownArns };
}
