// For tests that feed a target directly, without a router: adds target jobs to
// the partitions of the target's queue as the router does (each event in its
// key's partition; a batch split into one job per partition under the batch's
// id) and counts jobs over all partitions.
import {
  layoutQueueNames,
  type PartitionLayout,
  queueForKey,
  TARGET_BATCH_SCHEMA_VERSION,
  type TargetJob,
  targetBatchJobName,
} from '@bucket-events/contracts';
import { openQueue } from '@bucket-events/queue';
import type { JobsOptions, Queue } from 'bullmq';

export interface TestJob {
  name: string;
  /** One event (TargetJob) or a batch of them ({ batchVersion, events }). */
  data: TargetJob | { batchVersion: number; events: TargetJob[] };
  opts?: JobsOptions;
}

export class PartitionedTestQueue {
  private readonly queues: Map<string, Queue>;

  constructor(
    private readonly options: { base: string; layout: PartitionLayout; prefix: string; redisUrl: string },
  ) {
    this.queues = new Map(
      layoutQueueNames(options.base, options.layout).map((name) => [name, openQueue(name, options)]),
    );
  }

  /** The partition queue an event of `bucket`/`key` goes to. */
  queueOf(bucket: string, key: string): Queue {
    return this.queues.get(queueForKey(this.options.base, this.options.layout, bucket, key)) as Queue;
  }

  async addBulk(jobs: TestJob[]): Promise<void> {
    const byQueue = new Map<Queue, { name: string; data: unknown; opts?: JobsOptions }[]>();
    const push = (queue: Queue, job: { name: string; data: unknown; opts?: JobsOptions }) =>
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), job]);
    for (const job of jobs) {
      if (!('events' in job.data)) {
        push(this.queueOf(job.data.bucket, job.data.key), job);
        continue;
      }
      const parts = new Map<Queue, TargetJob[]>();
      for (const event of job.data.events) {
        const queue = this.queueOf(event.bucket, event.key);
        parts.set(queue, [...(parts.get(queue) ?? []), event]);
      }
      for (const [queue, events] of parts)
        push(queue, {
          name: targetBatchJobName(events.length),
          data: { batchVersion: TARGET_BATCH_SCHEMA_VERSION, events },
          opts: job.opts,
        });
    }
    await Promise.all([...byQueue].map(([queue, list]) => queue.addBulk(list)));
  }

  private async sum(count: (queue: Queue) => Promise<number>): Promise<number> {
    const counts = await Promise.all([...this.queues.values()].map(count));
    return counts.reduce((total, n) => total + n, 0);
  }

  getCompletedCount = () => this.sum((queue) => queue.getCompletedCount());
  getActiveCount = () => this.sum((queue) => queue.getActiveCount());
  getWaitingCount = () => this.sum((queue) => queue.getWaitingCount());

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
