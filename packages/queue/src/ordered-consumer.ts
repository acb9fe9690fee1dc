// Takes jobs from BullMQ queues strictly in each queue's order — up to `takeMax`
// in one atomic script over all the queues it consumes, so one Redis round trip
// serves many jobs — and holds up to `maxHeld` units of work (a job is one unit,
// or as many as the caller says: the events of a batch job) while the caller
// works on them; their locks are renewed until the caller completes them.
// Per-key order downstream depends on this: BullMQ's own concurrent processing
// loop can start a later job's processor before an earlier one's (observed
// under CPU load, letting locks of unstarted jobs lapse and the jobs be
// re-queued behind later ones), and concurrent single takes can interleave with
// lock expiry the same way. The queues it reads hold plain jobs: nothing adds
// delayed or prioritized ones, which the take script would not see.
//
// The set of queues can change while it runs (addQueue/removeQueue: the
// partitions a target process owns), and with a `fence` a queue is taken from
// only while the fence hash names this consumer's member as its owner, checked
// inside the take script itself.
//
// Jobs whose holder died (its locks lapsed) are put back at the head of their
// queue in the order they were first taken, by a script of our own: BullMQ's
// stalled check collects them in a Redis set and re-queues them in the set's
// order, which is arbitrary once a dead holder had more than 128 of them
// (seen as a per-key order violation after a target app was SIGKILLed with a
// large backlog).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis } from './redis-connection.ts';
import { type ScriptCall, scriptCommand } from './redis-script.ts';
import { COMPLETE_JOBS, EXTEND_LOCKS, FAIL_JOB, RECOVER_ORPHANS, TAKE_JOBS } from './scripts.ts';

/** A job as taken: what its consumer needs of it. */
export interface TakenJob {
  id: string;
  /** The queue it was taken from. */
  queue: string;
  name: string;
  /** The parsed `data`; the caller may drop it once read. */
  data: unknown;
}

export interface OrderedConsumerOptions {
  /** The queues consumed from the start (more can be added with addQueue). */
  queue?: string;
  queues?: readonly string[];
  prefix: string;
  redisUrl: string;
  /** Units of work held at once (taken and not yet completed or released). */
  maxHeld: number;
  /** Lock lifetime in ms; locks of held jobs are renewed every third of it. */
  lockMs: number;
  /** Most jobs taken in one step. Default 100. */
  takeMax?: number;
  /** Take from a queue only while `HGET key <queue>` is `member` (the partition's lease). */
  fence?: { key: string; member: string };
  /**
   * Called for each job, in its queue's order. Must call complete() or fail() on
   * the handle eventually. Returns the job's units of work (default 1).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a caller whose jobs weigh one unit returns nothing
  onJob(job: TakenJob, handle: HeldJob): number | void;
  onError?(error: unknown): void;
}

export interface HeldJob {
  complete(): Promise<void>;
  fail(error: Error): Promise<void>;
  /** `units` of the job's work are done: their capacity is free before the job completes. */
  release(units: number): void;
}

interface HeldEntry {
  job: TakenJob;
  /** Units not yet released. */
  units: number;
}

/** BullMQ's key layout: every key of a queue starts with this. */
const queueBase = (prefix: string, queue: string) => `${prefix}:${queue}:`;
const heldKey = (queue: string, id: string) => `${queue}\n${id}`;

export class OrderedConsumer {
  private readonly token = randomUUID();
  private readonly held = new Map<string, HeldEntry>();
  private readonly heldPerQueue = new Map<string, number>();
  private readonly queueSet: Set<string>;
  private heldUnitsNow = 0;
  private stopped = false;
  /** Wakes the take loop: room freed, a queue added, stopping. */
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private recovery: NodeJS.Timeout | undefined;
  private takeFailed = false;
  /** Numbers this consumer's takes (the take script's idempotency key). */
  private takes = 0;
  /** Takes, completions, lock renewals and orphan recovery. */
  private readonly redis: Redis;
  private readonly scripts: Record<'take' | 'complete' | 'recover' | 'extend' | 'fail', ScriptCall>;
  /** Waits for BullMQ's marker (set on every add) while the queues are empty. */
  private readonly blocking: Redis;
  private readonly lastTakeKey: string;
  /** Completions asked for since the last flush: sent together, in one script call. */
  private completions: { queue: string; id: string; settled: (error?: Error) => void }[] = [];
  /**
   * Completions wait this long to be sent together: at low rates one call per job
   * was most of a consumer's Redis traffic, and a job's completion is not on any
   * event's path (its events are already delivered).
   */
  private static readonly COMPLETION_DELAY_MS = 10;
  private completionTimer: NodeJS.Timeout | undefined;
  private readonly flushing = new Set<Promise<void>>();
  /** Callers waiting for a queue's held jobs to be done (drainQueue). */
  private readonly drainWaiters = new Map<string, (() => void)[]>();

  constructor(private readonly options: OrderedConsumerOptions) {
    // Commands cut off by a lost connection are sent again after the reconnect (ioredis's default;
    // turning that off leaves their promises unsettled forever): the take script is idempotent.
    const connection = { maxRetriesPerRequest: null, lazyConnect: true };
    this.redis = createRedis(options.redisUrl, connection);
    this.redis.on('error', () => {}); // each call reports its own failure
    this.scripts = {
      take: scriptCommand(this.redis, 'bucketEventsTakeJobs', 1, TAKE_JOBS),
      // These three name their keys in ARGV; the one key they are given (this consumer's take record,
      // unused by them) is what routes them to the deployment's slot on a Redis Cluster.
      complete: scriptCommand(this.redis, 'bucketEventsCompleteJobs', 1, COMPLETE_JOBS),
      recover: scriptCommand(this.redis, 'bucketEventsRecoverOrphans', 3, RECOVER_ORPHANS),
      extend: scriptCommand(this.redis, 'bucketEventsExtendLocks', 1, EXTEND_LOCKS),
      fail: scriptCommand(this.redis, 'bucketEventsFailJob', 1, FAIL_JOB),
    };
    this.blocking = createRedis(options.redisUrl, connection);
    this.blocking.on('error', () => {});
    this.lastTakeKey = `${options.prefix}:consumer-take:${this.token}`;
    this.queueSet = new Set([...(options.queue ? [options.queue] : []), ...(options.queues ?? [])]);
  }

  /** Jobs held. */
  get heldCount(): number {
    return this.held.size;
  }

  /** The queues taken from now. */
  get queues(): string[] {
    return [...this.queueSet];
  }

  /** Jobs held that came from `queue`. */
  heldIn(queue: string): number {
    return this.heldPerQueue.get(queue) ?? 0;
  }

  /** Starts taking from `queue` too (after its orphans were recovered: see recoverPredecessorOrphans). */
  addQueue(queue: string): void {
    this.queueSet.add(queue);
    this.wake?.();
  }

  /**
   * Stops taking from `queue`; resolves once every job held from it is completed or failed and
   * those completions reached Redis (a take in flight may still add some: they are waited for too).
   */
  async drainQueue(queue: string): Promise<void> {
    this.queueSet.delete(queue);
    while (this.heldIn(queue) > 0)
      await new Promise<void>((resolve) => {
        const waiters = this.drainWaiters.get(queue) ?? [];
        waiters.push(resolve);
        this.drainWaiters.set(queue, waiters);
      });
    await this.flushCompletions();
    await Promise.all(this.flushing);
  }

  /**
   * Puts jobs whose holder went away (lock lapsed) back at the head of their queue,
   * in the order they were taken; returns how many. Safe beside live consumers:
   * their jobs keep their locks. With `lostTakes`, also jobs under this consumer's
   * lock that it does not hold (call only while no take is in flight). With `all`,
   * a queue is changed only when every active job in it is an orphan (else -1).
   */
  async recoverOrphans(
    options: { lostTakes?: boolean; all?: boolean; queues?: readonly string[] } = {},
  ): Promise<number> {
    let moved = 0;
    for (const queue of options.queues ?? this.queues) {
      const base = queueBase(this.options.prefix, queue);
      // The ids held from this queue matter only for lost takes (see RECOVER_ORPHANS).
      const held = options.lostTakes
        ? [...this.held.values()].filter(({ job }) => job.queue === queue).map(({ job }) => job.id)
        : [];
      const count = Number(
        await this.scripts.recover(
          `${base}active`,
          `${base}wait`,
          `${base}marker`,
          base,
          // Only when no take is in flight: a take's reply may not have been read yet.
          options.lostTakes ? this.token : '',
          options.all ? 'all' : 'some',
          ...held,
        ),
      );
      if (count < 0) return -1;
      moved += count;
    }
    return moved;
  }

  /**
   * Before taking from queues after a crash (or from a partition another process held): waits
   * until every job a predecessor held has lost its lock, then puts them all back in one pass, in
   * the order they were taken (see RECOVER_ORPHANS). Jobs still locked after `maxWaitMs` belong to
   * a live process; they are left to the periodic recovery. Returns whether it finished.
   */
  async recoverPredecessorOrphans(
    maxWaitMs: number,
    stopped: () => boolean = () => false,
    queues: readonly string[] = this.queues,
  ): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs;
    let pending = [...queues];
    while (!stopped() && Date.now() < deadline) {
      const still: string[] = [];
      for (const queue of pending) {
        const moved = await this.recoverOrphans({ all: true, queues: [queue] }).catch((error: unknown) => {
          this.options.onError?.(error);
          return -1;
        });
        if (moved < 0) still.push(queue);
      }
      pending = still;
      if (pending.length === 0) return true;
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
    this.wake?.();
    await this.loop;
  }

  /**
   * Puts every job this consumer holds back at the head of its queue, in the order they were
   * taken, and forgets them: for a graceful stop once nothing is being written any more, so the
   * next owner takes them at once instead of after their locks lapse.
   */
  async releaseHeld(): Promise<number> {
    await this.stop();
    await this.flushCompletions();
    await Promise.all(this.flushing);
    const queues = [...new Set([...this.held.values()].map(({ job }) => job.queue))];
    this.held.clear();
    this.heldPerQueue.clear();
    this.heldUnitsNow = 0;
    return this.recoverOrphans({ lostTakes: true, queues });
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
    this.heldPerQueue.clear();
    this.heldUnitsNow = 0;
    for (const waiters of this.drainWaiters.values()) for (const resolve of waiters) resolve();
    this.drainWaiters.clear();
    this.redis.disconnect();
    this.blocking.disconnect();
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private async run(): Promise<void> {
    // The last take got fewer jobs than asked: the queues were empty then, so wait for a marker
    // (any add after that take sets it) instead of asking again and finding nothing.
    let drained = false;
    while (!this.stopped) {
      if (this.heldUnitsNow >= this.options.maxHeld) {
        await this.pause(1000);
        continue;
      }
      const queues = this.queues;
      if (queues.length === 0) {
        await this.pause(1000);
        continue;
      }
      let jobs: TakenJob[];
      try {
        // After a failed take, the take may have happened with its answer lost: those jobs are
        // active under our lock but unknown to us, and taking on would let newer jobs overtake
        // them. Put such jobs back first.
        if (this.takeFailed) await this.recoverOrphans({ lostTakes: true });
        this.takeFailed = false;
        if (drained) {
          // Bounded, so stop() and new queues are noticed; on a timeout the queues are simply asked again.
          await this.blocking.bzpopmin(
            ...queues.map((queue) => `${queueBase(this.options.prefix, queue)}marker`),
            1,
          );
          drained = false;
          continue;
        }
        const room = this.options.maxHeld - this.heldUnitsNow;
        const asked = this.options.takeMax ?? 100;
        jobs = await this.take(queues, asked, room);
        // Fewer jobs than asked, and not for lack of room (as the take measured it): the queues were empty.
        drained = jobs.length < asked && this.unitsOf(jobs) < room;
      } catch (error) {
        this.takeFailed = true;
        this.options.onError?.(error);
        await this.pause(500);
        continue;
      }
      // Jobs taken while stopping are still held: completed, or released by close() for redelivery.
      for (const job of jobs) this.hold(job);
    }
  }

  /** Units of work of taken jobs as their names say (`events:<n>`: n; otherwise 1), as the take script counts them. */
  private unitsOf(jobs: TakenJob[]): number {
    let units = 0;
    for (const job of jobs) units += Number(/^events:(\d+)$/.exec(job.name)?.[1] ?? 1);
    return units;
  }

  private async take(queues: string[], max: number, room: number): Promise<TakenJob[]> {
    this.takes += 1;
    const fence = this.options.fence;
    const reply = (await this.scripts.take(
      this.lastTakeKey,
      this.token,
      this.options.lockMs,
      max,
      Date.now(),
      this.takes,
      fence?.key ?? '',
      fence?.member ?? '',
      this.takes % queues.length,
      room,
      ...queues.flatMap((queue) => [queueBase(this.options.prefix, queue), queue]),
    )) as (number | string | string[])[];
    const jobs: TakenJob[] = [];
    for (let i = 0; i < reply.length; i += 3) {
      const queue = queues[(reply[i] as number) - 1] as string;
      const id = reply[i + 1] as string;
      const [name, data] = reply[i + 2] as [string | null, string | null];
      jobs.push({ id, queue, name: name ?? '', data: data === null ? undefined : JSON.parse(data) });
    }
    return jobs;
  }

  /** Stops counting a held job (completed, failed, or superseded by a new take of it). */
  private forget(key: string, entry: HeldEntry) {
    this.held.delete(key);
    this.heldUnitsNow -= entry.units;
    const left = this.heldIn(entry.job.queue) - 1;
    if (left > 0) this.heldPerQueue.set(entry.job.queue, left);
    else {
      this.heldPerQueue.delete(entry.job.queue);
      for (const resolve of this.drainWaiters.get(entry.job.queue) ?? []) resolve();
      this.drainWaiters.delete(entry.job.queue);
    }
    this.wake?.();
  }

  private hold(job: TakenJob) {
    const key = heldKey(job.queue, job.id);
    // Taken again while still held: its lock lapsed (a Redis restart outlasted it), so the periodic
    // recovery put it back and this take got it — perhaps with events appended meanwhile. The new
    // delivery supersedes the old one, whose completion then changes nothing (a duplicate at most).
    // Still counted, the old one would hold its queue's drain (and the partition's hand-over) for good.
    const stale = this.held.get(key);
    if (stale) this.forget(key, stale);
    const entry: HeldEntry = { job, units: 1 };
    this.held.set(key, entry);
    this.heldPerQueue.set(job.queue, this.heldIn(job.queue) + 1);
    this.heldUnitsNow += 1;
    const release = () => {
      if (this.held.get(key) !== entry) return;
      this.forget(key, entry);
    };
    const answer = this.options.onJob(job, {
      // When the lock was lost meanwhile these throw, and the job is redelivered: the slot frees either way.
      complete: async () => {
        if (this.held.get(key) !== entry) return;
        await this.completeSoon(job.queue, job.id).finally(release);
      },
      fail: async (error) => {
        if (this.held.get(key) !== entry) return;
        await this.scripts
          .fail(
            this.lastTakeKey,
            this.token,
            queueBase(this.options.prefix, job.queue),
            job.id,
            Date.now(),
            error.message,
          )
          .finally(release);
      },
      release: (done) => {
        if (this.held.get(key) !== entry) return;
        const freed = Math.min(Math.max(0, done), entry.units);
        entry.units -= freed;
        this.heldUnitsNow -= freed;
        if (freed > 0) this.wake?.();
      },
    });
    const units = typeof answer === 'number' ? answer : 1;
    if (units !== 1 && this.held.get(key) === entry) {
      const weight = Math.max(0, units);
      this.heldUnitsNow += weight - entry.units;
      entry.units = weight;
    }
  }

  /** Queues a completion; all those asked for within COMPLETION_DELAY_MS go to Redis in one call. */
  private completeSoon(queue: string, id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.completions.length === 0)
        this.completionTimer = setTimeout(
          () => void this.flushCompletions(),
          OrderedConsumer.COMPLETION_DELAY_MS,
        );
      this.completions.push({ queue, id, settled: (error) => (error ? reject(error) : resolve()) });
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
    const byQueue = new Map<string, string[]>();
    for (const { queue, id } of batch) {
      const ids = byQueue.get(queue);
      if (ids) ids.push(id);
      else byQueue.set(queue, [id]);
    }
    try {
      const lost = new Set(
        (await this.scripts.complete(
          this.lastTakeKey,
          this.token,
          Date.now(),
          ...[...byQueue].flatMap(([queue, ids]) => [
            queueBase(this.options.prefix, queue),
            ids.length,
            ...ids,
          ]),
        )) as string[],
      );
      for (const { queue, id, settled } of batch)
        settled(
          lost.has(`${queueBase(this.options.prefix, queue)}${id}`)
            ? new Error(`Missing lock for job ${id} of ${queue}: not completed`)
            : undefined,
        );
    } catch (error) {
      for (const { settled } of batch) settled(error as Error);
    }
  }

  /** One call for every held job (a job whose lock is gone meanwhile is simply not renewed). */
  private async renewLocks() {
    if (this.held.size === 0) return;
    const locks = [...this.held.values()].map(
      ({ job }) => `${queueBase(this.options.prefix, job.queue)}${job.id}:lock`,
    );
    await this.scripts
      .extend(this.lastTakeKey, this.token, this.options.lockMs, ...locks)
      .catch((error: unknown) => this.options.onError?.(error));
  }
}
