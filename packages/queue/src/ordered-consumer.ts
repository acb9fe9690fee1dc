// Takes jobs from a BullMQ queue one at a time, strictly in queue order, and
// holds up to `maxHeld` of them while the caller works on them; their locks are
// renewed until the caller completes them. Per-key order downstream depends on
// this: BullMQ's own concurrent processing loop can start a later job's
// processor before an earlier one's (observed under CPU load, letting locks of
// unstarted jobs lapse and the jobs be re-queued behind later ones).
import { randomUUID } from 'node:crypto';
import { type Job, Worker } from 'bullmq';

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
  private stalledCheck = false;

  constructor(private readonly options: OrderedConsumerOptions) {
    this.worker = new Worker(options.queue, null, {
      prefix: options.prefix,
      connection: { url: options.redisUrl, maxRetriesPerRequest: null },
      autorun: false,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      // A job may be held for long (its target is down): never give up on it as stalled.
      maxStalledCount: 1_000_000,
      drainDelay: 1,
    });
    this.worker.on('error', (error) => options.onError?.(error));
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** The stalled check puts jobs of crashed consumers back at the head of the queue. */
  startStalledCheck(): void {
    if (this.stalledCheck) return;
    this.stalledCheck = true;
    void this.worker.startStalledCheckTimer();
  }

  start(): void {
    this.startStalledCheck();
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
    this.held.clear();
    await this.worker.close(true);
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
        job = (await this.worker.getNextJob(this.token, { block: true })) as Job | undefined;
      } catch (error) {
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
      complete: async () => {
        if (!this.held.has(id)) return;
        await job.moveToCompleted(undefined, this.token, false);
        release();
      },
      fail: async (error) => {
        if (!this.held.has(id)) return;
        await job.moveToFailed(error, this.token, false);
        release();
      },
    });
  }

  private async renewLocks() {
    await Promise.all(
      [...this.held.values()].map((job) => job.extendLock(this.token, this.options.lockMs).catch(() => 0)),
    );
  }
}
