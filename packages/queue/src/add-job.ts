// Adds jobs to BullMQ queues through one lean script (scripts.ts, ADD_JOB)
// instead of Queue.add: the jobs are the same to BullMQ's Job and Queue APIs and
// to OrderedConsumer, at about half the Redis time and 60 % of the client CPU
// (bench/add-jobs.ts), without building a Job object per add. Only what this pipeline adds: a custom id, no delay, no
// priority, no parent.
import type { Redis } from 'ioredis';
import { type ScriptCall, scriptCommand } from './redis-script.ts';
import { ADD_JOB } from './scripts.ts';

/** The options BullMQ keeps in the job's `opts` and acts on later. */
export interface PlainJobOptions {
  /** Kept completed for `age` seconds, at most `count` of them (OrderedConsumer's completion reads it). */
  removeOnComplete: { age: number; count: number } | boolean;
  removeOnFail: boolean;
  attempts?: number;
  backoff?: { type: 'exponential' | 'fixed'; delay: number };
}

export interface PlainJob {
  id: string;
  name: string;
  data: unknown;
  opts: PlainJobOptions;
}

export class JobAdder {
  private readonly addJob: ScriptCall;

  /** `prefix`: the BullMQ key prefix the queues use (BullMQ's `prefix` option). */
  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.addJob = scriptCommand(redis, 'bucketEventsAddJob', 3, ADD_JOB);
  }

  /** Adds the job unless its id is there already; true if it was added. */
  async add(queue: string, job: PlainJob): Promise<boolean> {
    const keys = `${this.prefix}:${queue}:`;
    const opts = JSON.stringify({ jobId: job.id, attempts: 0, ...job.opts });
    const added = await this.addJob(
      `${keys}${job.id}`,
      `${keys}wait`,
      `${keys}marker`,
      job.id,
      job.name,
      JSON.stringify(job.data),
      opts,
      Date.now(),
    );
    return added === 1;
  }
}
