// Target jobs as the router makes them, for kit tests.
import { createHash } from 'node:crypto';
import {
  TARGET_BATCH_SCHEMA_VERSION,
  type TargetJob,
  targetBatchJobName,
  targetJobId,
} from '@bucket-events/contracts';
import { conformanceJob } from '../src/conformance-job.ts';
import type { PartitionedTestQueue } from '../src/test-queue.ts';

/** A target job for key `key`, as the router would make it (sequencers increase per call). */
export function targetJob(key: string): TargetJob {
  return conformanceJob('test', key);
}

export async function enqueue(queue: PartitionedTestQueue, jobs: TargetJob[]) {
  await queue.addBulk(
    jobs.map((data) => ({
      name: 'e',
      data,
      opts: { jobId: targetJobId(data.sequencer), removeOnComplete: { age: 600 } },
    })),
  );
}

/** Adds one job per group, each carrying its events as a batch, as the router makes them. */
export async function enqueueBatches(queue: PartitionedTestQueue, groups: TargetJob[][]) {
  await queue.addBulk(
    groups.map((events) => ({
      name: targetBatchJobName(events.length),
      data: { batchVersion: TARGET_BATCH_SCHEMA_VERSION, events },
      opts: { jobId: `b-${(events[0] as TargetJob).sequencer}`, removeOnComplete: { age: 600 } },
    })),
  );
}

/** Asserts that, per key, sequencers only increase. Returns the first violation, if any. */
export function orderViolation(jobs: TargetJob[]): string | undefined {
  const last = new Map<string, string>();
  for (const job of jobs) {
    const previous = last.get(job.key);
    if (previous !== undefined && job.sequencer <= previous)
      return `${job.key}: ${job.sequencer} after ${previous}`;
    last.set(job.key, job.sequencer);
  }
  return undefined;
}

/** How the end-to-end tests tell their writes apart: a PUT by its body's MD5 (its ETag), a DELETE. */
export function putEvent(body: string): string {
  return `put ${createHash('md5').update(body).digest('hex')}`;
}

/** Each key's events in the order of `jobs`, told apart as `putEvent` does, `delete` and `noop`. */
export function eventsByKey(jobs: TargetJob[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const { key, record } of jobs) {
    const events = byKey.get(key) ?? [];
    byKey.set(key, events);
    events.push(
      record.eventName === 's3:ObjectRemoved:Delete'
        ? 'delete'
        : record.eventName === 's3:ObjectRemoved:NoOP'
          ? 'noop'
          : `put ${record.s3.object.eTag}`,
    );
  }
  return byKey;
}
