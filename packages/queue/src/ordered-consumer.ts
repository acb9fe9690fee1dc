// Takes jobs from a BullMQ queue one at a time, strictly in queue order, and
// holds up to `maxHeld` of them while the caller works on them; their locks are
// renewed until the caller completes them. Per-key order downstream depends on
// this: BullMQ's own concurrent processing loop can start a later job's
// processor before an earlier one's (observed under CPU load, letting locks of
// unstarted jobs lapse and the jobs be re-queued behind later ones).
//
// Jobs whose holder died (its locks lapsed) are put back at the head of the
// queue in the order they were first taken, by a script of our own: BullMQ's
// stalled check collects them in a Redis set and re-queues them in the set's
// order, which is arbitrary once a dead holder had more than 128 of them
// (seen as a per-key order violation after a target app was SIGKILLed with a
// large backlog).
import { randomUUID } from 'node:crypto';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * KEYS: active list, wait list, marker zset. ARGV[1]: the queue's job key prefix;
 * ARGV[2]: the caller's lock token; ARGV[3..]: the ids the caller holds.
 * An orphan is an active job with no lock, or with the caller's lock on a job the
 * caller does not know it holds (its take was lost with a connection: see run()).
 * The active list holds the most recently taken job at its head (jobs move in by
 * RPOPLPUSH from the wait list's tail). Orphans are pushed onto the wait list's
 * tail newest first, so the oldest ends at the tail and is taken first.
 */
const RECOVER_ORPHANS = `
local held = {}
for i = 3, #ARGV do held[ARGV[i]] = true end
local active = redis.call('LRANGE', KEYS[1], 0, -1)
local kept, orphans = {}, {}
for _, id in ipairs(active) do
  local lockKey = ARGV[1] .. id .. ':lock'
  local lock = redis.call('GET', lockKey)
  if lock and (lock ~= ARGV[2] or held[id]) then
    table.insert(kept, id)
  else
    if lock then redis.call('DEL', lockKey) end
    table.insert(orphans, id)
  end
end
if #orphans == 0 then return 0 end
redis.call('DEL', KEYS[1])
for from = 1, #kept, 5000 do
  redis.call('RPUSH', KEYS[1], unpack(kept, from, math.min(from + 4999, #kept)))
end
for from = 1, #orphans, 5000 do
  redis.call('RPUSH', KEYS[2], unpack(orphans, from, math.min(from + 4999, #orphans)))
end
redis.call('ZADD', KEYS[3], 0, '0')
return #orphans
`;

export interface OrderedConsumerOptions {
  queue: string;
  prefix: string;
  redisUrl: string;
  /** Jobs held at once (taken and not yet completed). */
  maxHeld: number;
  /** Lock lifetime in ms; locks of held jobs are renewed every third of it. */
  lockMs: number;
  /** Called for each job, in queue order. Must call complete() or fail() on the handle eventually. */
  onJob(job: Job, handle: HeldJob): void;
  onError?(error: unknown): void;
}

export interface HeldJob {
  complete(): Promise<void>;
  fail(error: Error): Promise<void>;
}

export class OrderedConsumer {
  private readonly worker: Worker;
  private readonly token = randomUUID();
  private readonly held = new Map<string, Job>();
  private stopped = false;
  private capacity: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private recovery: NodeJS.Timeout | undefined;
  private takeFailed = false;
  private readonly redis: Redis;

  constructor(private readonly options: OrderedConsumerOptions) {
    this.worker = new Worker(options.queue, null, {
      prefix: options.prefix,
      // A command cut off by a lost connection fails instead of running again after the reconnect:
      // a take whose answer was lost must not be followed by a second take (see run()).
      connection: { url: options.redisUrl, maxRetriesPerRequest: null, autoResendUnfulfilledCommands: false },
      autorun: false,
      lockDuration: options.lockMs,
      drainDelay: 1,
    });
    this.worker.on('error', (error) => options.onError?.(error));
    this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    this.redis.on('error', () => {}); // the recovery tick reports its own failures
  }

  get heldCount(): number {
    return this.held.size;
  }

  /**
   * Puts jobs whose holder went away (lock lapsed) back at the head of the queue,
   * in the order they were taken; returns how many. Safe beside live consumers:
   * their jobs keep their locks. With `lostTakes`, also jobs under this consumer's
   * lock that it does not hold (call only while no take is in flight).
   */
  async recoverOrphans(options: { lostTakes?: boolean } = {}): Promise<number> {
    const { prefix, queue } = this.options;
    const base = `${prefix}:${queue}:`;
    const moved = await this.redis.eval(
      RECOVER_ORPHANS,
      3,
      `${base}active`,
      `${base}wait`,
      `${base}marker`,
      base,
      // Only when no take is in flight: a take's reply may not have been read yet.
      options.lostTakes ? this.token : '',
      ...(options.lostTakes ? this.held.keys() : []),
    );
    return Number(moved);
  }

  /** Runs recoverOrphans() now and then twice per lock lifetime. */
  startOrphanRecovery(): void {
    if (this.recovery) return;
    const tick = () => void this.recoverOrphans().catch((error: unknown) => this.options.onError?.(error));
    this.recovery = setInterval(tick, Math.max(250, this.options.lockMs / 2));
    tick();
  }

  start(): void {
    this.startOrphanRecovery();
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
    this.held.clear();
    await this.worker.close(true);
    this.redis.disconnect();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.held.size >= this.options.maxHeld) {
        await new Promise<void>((resolve) => {
          this.capacity = resolve;
        });
        this.capacity = undefined;
        continue;
      }
      let job: Job | undefined;
      try {
        // After a failed take, the take may have happened with its answer lost (Redis went away):
        // that job is active under our lock but unknown to us, and taking on would let newer jobs
        // overtake it. Put such jobs back first.
        if (this.takeFailed) await this.recoverOrphans({ lostTakes: true });
        this.takeFailed = false;
        job = (await this.worker.getNextJob(this.token, { block: true })) as Job | undefined;
      } catch (error) {
        this.takeFailed = true;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      // A job taken while stopping is still held: completed, or released by close() for redelivery.
      if (job) this.hold(job);
    }
  }

  private hold(job: Job) {
    const id = job.id as string;
    this.held.set(id, job);
    const release = () => {
      this.held.delete(id);
      this.capacity?.();
    };
    this.options.onJob(job, {
      // When the lock was lost meanwhile these throw, and the job is redelivered: the slot frees either way.
      complete: async () => {
        if (!this.held.has(id)) return;
        await job.moveToCompleted(undefined, this.token, false).finally(release);
      },
      fail: async (error) => {
        if (!this.held.has(id)) return;
        await job.moveToFailed(error, this.token, false).finally(release);
      },
    });
  }

  private async renewLocks() {
    await Promise.all(
      [...this.held.values()].map((job) => job.extendLock(this.token, this.options.lockMs).catch(() => 0)),
    );
  }
}
