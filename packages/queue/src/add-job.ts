// Adds jobs to BullMQ queues through one lean script (scripts.ts, ADD_JOB)
// instead of Queue.add: the jobs are the same to BullMQ's Job and Queue APIs and
// to OrderedConsumer, at about half the Redis time and 60 % of the client CPU
// (bench/add-jobs.ts), without building a Job object per add. Only what this pipeline adds: a custom id, no delay, no
// priority, no parent.
import type { Redis } from 'ioredis';
import { type ScriptCall, scriptCommand } from './redis-script.ts';
import { ADD_EVENTS, ADD_JOB } from './scripts.ts';

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

/** A batch of events for a target queue (see addEvents). */
export interface EventsJob {
  id: string;
  /** The batch's envelope without its events, e.g. `{ batchVersion: 1 }`. */
  envelope: Record<string, unknown>;
  events: unknown[];
  opts: PlainJobOptions;
}

export class JobAdder {
  private readonly addJob: ScriptCall;
  private readonly addEventsScript: ScriptCall;

  /** `prefix`: the BullMQ key prefix the queues use (BullMQ's `prefix` option). */
  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.addJob = scriptCommand(redis, 'bucketEventsAddJob', 3, ADD_JOB);
    this.addEventsScript = scriptCommand(redis, 'bucketEventsAddEvents', 4, ADD_EVENTS);
  }

  /**
   * Adds a batch of events as a job named `events:<n>` whose data is `{ ...envelope, events }`
   * — or, while the queue's newest job still waits and has room (under `maxEvents`), appends them
   * to it (ADD_EVENTS). Idempotent per id: the newest `rememberIds` ids added to the queue are
   * remembered. Returns whether the events were added (false: the id was there).
   */
  async addEvents(
    queue: string,
    job: EventsJob,
    limits: { maxEvents: number; rememberIds: number },
  ): Promise<boolean> {
    const keys = `${this.prefix}:${queue}:`;
    const events = JSON.stringify(job.events);
    const opts = JSON.stringify({ jobId: job.id, attempts: 0, ...job.opts });
    // `{...envelope,"events":[…]}`: the events array last, so the script can append to it.
    // The events array must end the data: appended events are spliced in before its last `]}`.
    const head = JSON.stringify(job.envelope).slice(0, -1);
    const data = `${head}${head === '{' ? '' : ','}"events":${events}}`;
    const added = await this.addEventsScript(
      `${keys}${job.id}`,
      `${keys}wait`,
      `${keys}marker`,
      `${keys}added-ids`,
      job.id,
      job.events.length,
      data,
      opts,
      Date.now(),
      events.slice(1, -1),
      limits.maxEvents,
      keys,
      limits.rememberIds,
    );
    return added !== 0;
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
