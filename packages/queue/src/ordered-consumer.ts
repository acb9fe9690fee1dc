// Takes jobs from a BullMQ queue strictly in queue order — up to `takeMax` in
// one atomic script, so one Redis round trip serves many jobs — and holds up to
// `maxHeld` units of work (a job is one unit, or as many as the caller says:
// the events of a batch job) while the caller works on them; their locks are
// renewed until the caller completes them. Per-key order downstream depends on this:
// BullMQ's own concurrent processing loop can start a later job's processor
// before an earlier one's (observed under CPU load, letting locks of unstarted
// jobs lapse and the jobs be re-queued behind later ones), and concurrent
// single takes can interleave with lock expiry the same way. The queues it
// reads hold plain jobs: nothing adds delayed or prioritized ones, which the
// take script would not see.
//
// Jobs whose holder died (its locks lapsed) are put back at the head of the
// queue in the order they were first taken, by a script of our own: BullMQ's
// stalled check collects them in a Redis set and re-queues them in the set's
// order, which is arbitrary once a dead holder had more than 128 of them
// (seen as a per-key order violation after a target app was SIGKILLed with a
// large backlog).
import { randomUUID } from 'node:crypto';
import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type ScriptCall, scriptCommand } from './redis-script.ts';
import { COMPLETE_JOBS, RECOVER_ORPHANS, TAKE_JOBS } from './scripts.ts';

export interface OrderedConsumerOptions {
  queue: string;
  prefix: string;
  redisUrl: string;
  /** Units of work held at once (taken and not yet completed or released). */
  maxHeld: number;
  /** Lock lifetime in ms; locks of held jobs are renewed every third of it. */
  lockMs: number;
  /** Most jobs taken in one step. Default 100. */
  takeMax?: number;
  /**
   * Called for each job, in queue order. Must call complete() or fail() on the
   * handle eventually. Returns the job's units of work (default 1).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a caller whose jobs weigh one unit returns nothing
  onJob(job: Job, handle: HeldJob): number | void;
  onError?(error: unknown): void;
}

export interface HeldJob {
  complete(): Promise<void>;
  fail(error: Error): Promise<void>;
  /** `units` of the job's work are done: their capacity is free before the job completes. */
  release(units: number): void;
}

interface HeldEntry {
  job: Job;
  /** Units not yet released. */
  units: number;
}

export class OrderedConsumer {
  private readonly worker: Worker;
  private readonly token = randomUUID();
  private readonly held = new Map<string, HeldEntry>();
  private heldUnitsNow = 0;
  /** Average units per job taken so far (moving), to size takes by the capacity left. */
  private unitsPerJob = 1;
  private stopped = false;
  private capacity: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private recovery: NodeJS.Timeout | undefined;
  private takeFailed = false;
  /** Numbers this consumer's takes (the take script's idempotency key). */
  private takes = 0;
  /** Takes and orphan recovery. */
  private readonly redis: Redis;
  private readonly scripts: { take: ScriptCall; complete: ScriptCall; recover: ScriptCall };
  /** Waits for BullMQ's marker (set on every add) while the queue is empty. */
  private readonly blocking: Redis;
  private readonly keys: {
    job: string;
    wait: string;
    active: string;
    marker: string;
    completed: string;
    lastTake: string;
  };
  /** Completions asked for since the last flush: sent together, in one script call. */
  private completions: { id: string; settled: (error?: Error) => void }[] = [];
  /**
   * Completions wait this long to be sent together: at low rates one call per job
   * was most of a consumer's Redis traffic, and a job's completion is not on any
   * event's path (its events are already delivered).
   */
  private static readonly COMPLETION_DELAY_MS = 10;
  private completionTimer: NodeJS.Timeout | undefined;
  private readonly flushing = new Set<Promise<void>>();

  constructor(private readonly options: OrderedConsumerOptions) {
    // Commands cut off by a lost connection are sent again after the reconnect (ioredis's default;
    // turning that off leaves their promises unsettled forever): the take script is idempotent.
    const connection = { maxRetriesPerRequest: null };
    // The Worker is only the Job objects' handle on the queue (complete, fail, extend locks).
    this.worker = new Worker(options.queue, null, {
      prefix: options.prefix,
      connection: { url: options.redisUrl, ...connection },
      autorun: false,
      lockDuration: options.lockMs,
    });
    this.worker.on('error', (error) => options.onError?.(error));
    this.redis = new Redis(options.redisUrl, { ...connection, lazyConnect: true });
    this.redis.on('error', () => {}); // takes and recovery report their own failures
    this.scripts = {
      take: scriptCommand(this.redis, 'bucketEventsTakeJobs', 3, TAKE_JOBS),
      complete: scriptCommand(this.redis, 'bucketEventsCompleteJobs', 2, COMPLETE_JOBS),
      recover: scriptCommand(this.redis, 'bucketEventsRecoverOrphans', 3, RECOVER_ORPHANS),
    };
    this.blocking = new Redis(options.redisUrl, { ...connection, lazyConnect: true });
    this.blocking.on('error', () => {});
    const base = `${options.prefix}:${options.queue}:`; // BullMQ's key layout
    this.keys = {
      job: base,
      wait: `${base}wait`,
      active: `${base}active`,
      marker: `${base}marker`,
      completed: `${base}completed`,
      lastTake: `${base}take:${this.token}`,
    };
  }

  /** Jobs held. */
  get heldCount(): number {
    return this.held.size;
  }

  /**
   * Puts jobs whose holder went away (lock lapsed) back at the head of the queue,
   * in the order they were taken; returns how many. Safe beside live consumers:
   * their jobs keep their locks. With `lostTakes`, also jobs under this consumer's
   * lock that it does not hold (call only while no take is in flight).
   */
  async recoverOrphans(options: { lostTakes?: boolean; all?: boolean } = {}): Promise<number> {
    const moved = await this.scripts.recover(
      this.keys.active,
      this.keys.wait,
      this.keys.marker,
      this.keys.job,
      // Only when no take is in flight: a take's reply may not have been read yet.
      options.lostTakes ? this.token : '',
      options.all ? 'all' : 'some',
      ...(options.lostTakes ? this.held.keys() : []),
    );
    return Number(moved);
  }

  /**
   * Before the first take after a crash: waits until every job a dead predecessor
   * held has lost its lock, then puts them all back in one pass, in the order they
   * were taken (see RECOVER_ORPHANS). Jobs still locked after `maxWaitMs` belong to
   * a live process (two consumers of one queue: per-key order is not kept across
   * them); they are left to the periodic recovery. Returns whether it finished.
   */
  async recoverPredecessorOrphans(maxWaitMs: number, stopped: () => boolean = () => false): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs;
    while (!stopped() && Date.now() < deadline) {
      const moved = await this.recoverOrphans({ all: true }).catch((error: unknown) => {
        this.options.onError?.(error);
        return -1;
      });
      if (moved >= 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  }

  /**
   * Starts taking jobs. From then on, orphans (jobs whose locks lapsed: this
   * consumer's own after a Redis outage, or a stray sibling's) are put back twice
   * per lock lifetime.
   */
  start(): void {
    if (!this.recovery) {
      const tick = () => void this.recoverOrphans().catch((error: unknown) => this.options.onError?.(error));
      this.recovery = setInterval(tick, Math.max(250, this.options.lockMs / 2));
      tick();
    }
    this.renewal ??= setInterval(() => void this.renewLocks(), Math.max(200, this.options.lockMs / 3));
    this.loop ??= this.run();
  }

  /** Stops taking jobs; held jobs stay held until completed, failed or released by close(). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.capacity?.();
    await this.loop;
  }

  /** Stops renewing locks and closes: jobs still held are redelivered once their locks lapse. */
  async close(): Promise<void> {
    await this.stop();
    if (this.renewal) clearInterval(this.renewal);
    if (this.recovery) clearInterval(this.recovery);
    // Completions already asked for are sent before the connection goes.
    await this.flushCompletions();
    await Promise.all(this.flushing);
    this.held.clear();
    this.heldUnitsNow = 0;
    await this.worker.close(true);
    this.redis.disconnect();
    this.blocking.disconnect();
  }

  private async run(): Promise<void> {
    // The last take got fewer jobs than asked: the queue was empty then, so wait for the marker
    // (any add after that take sets it) instead of asking again and finding nothing.
    let drained = false;
    while (!this.stopped) {
      if (this.heldUnitsNow >= this.options.maxHeld) {
        await new Promise<void>((resolve) => {
          this.capacity = resolve;
        });
        this.capacity = undefined;
        continue;
      }
      let jobs: Job[];
      try {
        // After a failed take, the take may have happened with its answer lost: those jobs are
        // active under our lock but unknown to us, and taking on would let newer jobs overtake
        // them. Put such jobs back first.
        if (this.takeFailed) await this.recoverOrphans({ lostTakes: true });
        this.takeFailed = false;
        if (drained) {
          // Bounded, so stop() is noticed; on a timeout the queue is simply asked again.
          await this.blocking.bzpopmin(this.keys.marker, 1);
          drained = false;
          continue;
        }
        const room = this.options.maxHeld - this.heldUnitsNow;
        const asked = Math.max(1, Math.min(this.options.takeMax ?? 100, Math.floor(room / this.unitsPerJob)));
        jobs = await this.take(asked);
        drained = jobs.length < asked;
      } catch (error) {
        this.takeFailed = true;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      // Jobs taken while stopping are still held: completed, or released by close() for redelivery.
      for (const job of jobs) this.hold(job);
    }
  }

  private async take(max: number): Promise<Job[]> {
    this.takes += 1;
    const reply = (await this.scripts.take(
      this.keys.wait,
      this.keys.active,
      this.keys.lastTake,
      this.keys.job,
      this.token,
      this.options.lockMs,
      max,
      Date.now(),
      this.takes,
    )) as (string | string[])[];
    const jobs: Job[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      const id = reply[i] as string;
      const fields = reply[i + 1] as string[];
      const raw: Record<string, string> = {};
      for (let f = 0; f < fields.length; f += 2) raw[fields[f] as string] = fields[f + 1] as string;
      const job = Job.fromJSON(this.worker as never, raw as never, id);
      job.token = this.token;
      jobs.push(job);
    }
    return jobs;
  }

  private hold(job: Job) {
    const id = job.id as string;
    const entry: HeldEntry = { job, units: 1 };
    this.held.set(id, entry);
    this.heldUnitsNow += 1;
    const release = () => {
      if (this.held.get(id) !== entry) return;
      this.held.delete(id);
      this.heldUnitsNow -= entry.units;
      this.capacity?.();
    };
    const answer = this.options.onJob(job, {
      // When the lock was lost meanwhile these throw, and the job is redelivered: the slot frees either way.
      complete: async () => {
        if (this.held.get(id) !== entry) return;
        await this.completeSoon(id).finally(release);
      },
      fail: async (error) => {
        if (this.held.get(id) !== entry) return;
        await job.moveToFailed(error, this.token, false).finally(release);
      },
      release: (done) => {
        if (this.held.get(id) !== entry) return;
        const freed = Math.min(Math.max(0, done), entry.units);
        entry.units -= freed;
        this.heldUnitsNow -= freed;
        if (freed > 0) this.capacity?.();
      },
    });
    const units = typeof answer === 'number' ? answer : 1;
    if (units !== 1 && this.held.get(id) === entry) {
      const weight = Math.max(0, units);
      this.heldUnitsNow += weight - entry.units;
      entry.units = weight;
    }
    this.unitsPerJob = Math.max(1, 0.8 * this.unitsPerJob + 0.2 * units);
  }

  /** Queues a completion; all those asked for within COMPLETION_DELAY_MS go to Redis in one call. */
  private completeSoon(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.completions.length === 0)
        this.completionTimer = setTimeout(
          () => void this.flushCompletions(),
          OrderedConsumer.COMPLETION_DELAY_MS,
        );
      this.completions.push({ id, settled: (error) => (error ? reject(error) : resolve()) });
    });
  }

  /** Sends the completions asked for so far; close() waits for those in flight. */
  private flushCompletions(): Promise<void> {
    clearTimeout(this.completionTimer);
    if (this.completions.length === 0) return Promise.resolve();
    const flush = this.sendCompletions().finally(() => this.flushing.delete(flush));
    this.flushing.add(flush);
    return flush;
  }

  private async sendCompletions(): Promise<void> {
    const batch = this.completions;
    this.completions = [];
    try {
      const lost = new Set(
        (await this.scripts.complete(
          this.keys.active,
          this.keys.completed,
          this.keys.job,
          this.token,
          Date.now(),
          ...batch.map(({ id }) => id),
        )) as string[],
      );
      for (const { id, settled } of batch)
        settled(lost.has(id) ? new Error(`Missing lock for job ${id}: not completed`) : undefined);
    } catch (error) {
      for (const { settled } of batch) settled(error as Error);
    }
  }

  /** One call for every held job (a job whose lock is gone meanwhile is simply not renewed). */
  private async renewLocks() {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return;
    await this.worker
      .extendJobLocks(
        ids,
        ids.map(() => this.token),
        this.options.lockMs,
      )
      .catch((error: unknown) => this.options.onError?.(error));
  }
}
