// One process's part of a target's consumer group: it holds a lease in Redis,
// owns its even share of the target's partition queues, and takes jobs (in
// order, through one OrderedConsumer) only from the partitions it owns.
//
// A partition changes hands without two processes ever taking from it at once:
// - the take script itself checks ownership (the fence), so a process that lost
//   a partition takes nothing more from it, even before it noticed;
// - a process told to give a partition up stops taking from it, waits until
//   every job it took from it is completed, and only then frees it;
// - a new owner first waits until no job of the partition is locked by anyone
//   (a crashed owner's locks lapse), then puts those jobs back at the head in
//   the order they were taken (RECOVER_ORPHANS), and only then takes.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type HeldJob,
  OrderedConsumer,
  type OrderedConsumerOptions,
  type TakenJob,
} from './ordered-consumer.ts';
import { GROUP_LEAVE, GROUP_RELEASE, GROUP_TICK } from './partition-scripts.ts';
import { createRedis } from './redis-connection.ts';
import { type ScriptCall, scriptCommand } from './redis-script.ts';

export interface PartitionGroupKeys {
  /** Live members: zset of lease expiry. */
  members: string;
  /** Partition queue → owning member. */
  owners: string;
  /** The target's current layout (number of partitions; 0 = the single queue of older releases). */
  layout: string;
}

export interface PartitionedConsumerOptions
  extends Omit<OrderedConsumerOptions, 'queue' | 'queues' | 'fence' | 'onJob'> {
  /** The target's base queue name (`target.<kind>.<id>`); partitions are `<base>.p<n>`. */
  baseQueue: string;
  keys: PartitionGroupKeys;
  /** P from the configuration: the layout when the target has none yet. */
  configuredPartitions: number;
  /** How long a member stays in the group without renewing its lease, in ms. Default 5000. */
  leaseMs?: number;
  /** This process's member id (default: a random one). */
  member?: string;
  onJob(job: TakenJob, handle: HeldJob): number | undefined;
  /** The owned partitions changed (after a take-over finished or a release completed). */
  onOwnershipChange?(owned: readonly string[]): void;
}

type PartitionState = 'acquiring' | 'active' | 'releasing';

export class PartitionedConsumer {
  readonly member: string;
  private readonly consumer: OrderedConsumer;
  private readonly redis: Redis;
  private readonly scripts: Record<'tick' | 'release' | 'leave', ScriptCall>;
  private readonly partitions = new Map<string, PartitionState>();
  /** What the last tick said this member owns. */
  private owning = new Set<string>();
  private layoutNow: number | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private closing = false;
  private readonly leaseMs: number;

  constructor(private readonly options: PartitionedConsumerOptions) {
    this.member = options.member ?? randomUUID();
    this.leaseMs = options.leaseMs ?? 5000;
    this.consumer = new OrderedConsumer({
      ...options,
      queues: [],
      fence: { key: options.keys.owners, member: this.member },
    });
    this.redis = createRedis(options.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    this.redis.on('error', () => {});
    this.scripts = {
      tick: scriptCommand(this.redis, 'bucketEventsGroupTick', 3, GROUP_TICK),
      release: scriptCommand(this.redis, 'bucketEventsGroupRelease', 1, GROUP_RELEASE),
      leave: scriptCommand(this.redis, 'bucketEventsGroupLeave', 2, GROUP_LEAVE),
    };
  }

  /** Partition queues this process takes from now. */
  get owned(): string[] {
    return [...this.partitions].filter(([, state]) => state === 'active').map(([queue]) => queue);
  }

  /** The target's layout as last seen (undefined before the first tick). */
  get layout(): number | undefined {
    return this.layoutNow;
  }

  get heldCount(): number {
    return this.consumer.heldCount;
  }

  /** Joins the group: owns partitions (and takes from them) within one tick when some are free. */
  start(): void {
    this.consumer.start();
    const every = Math.max(100, Math.floor(this.leaseMs / 5));
    this.ticker = setInterval(() => void this.tick(), every);
    void this.tick();
  }

  private tick(): Promise<void> {
    if (this.ticking || this.closing) return this.ticking ?? Promise.resolve();
    this.ticking = this.renew()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async renew(): Promise<void> {
    const [layout, mine, release] = (await this.scripts.tick(
      this.options.keys.members,
      this.options.keys.owners,
      this.options.keys.layout,
      `${this.options.prefix}:`,
      this.options.baseQueue,
      this.options.configuredPartitions,
      this.member,
      Date.now(),
      this.leaseMs,
    )) as [number, string[], string[]];
    if (this.closing) return;
    this.layoutNow = layout;
    this.owning = new Set(mine);
    const toRelease = new Set(release);
    for (const queue of mine)
      if (!this.partitions.has(queue) && !toRelease.has(queue)) void this.acquire(queue);
    for (const [queue, state] of this.partitions) {
      if (state === 'releasing') continue;
      if (!this.owning.has(queue))
        void this.giveUp(queue, false); // lost (our lease lapsed): not ours to free
      else if (toRelease.has(queue)) void this.giveUp(queue, true);
    }
    // Told to release a partition this process does not take from (its group reassigned it to us
    // while we were giving it up, as after a Redis restart): free it now. Left alone, it stayed
    // ours in Redis, taken by nobody, for good.
    for (const queue of toRelease) if (!this.partitions.has(queue)) void this.giveUp(queue, true);
  }

  private async acquire(queue: string): Promise<void> {
    this.partitions.set(queue, 'acquiring');
    // What an earlier owner held goes first, once none of it is locked any more.
    const recovered = await this.consumer.recoverPredecessorOrphans(
      Number.POSITIVE_INFINITY,
      () => this.closing || !this.owning.has(queue),
      [queue],
    );
    // Given up meanwhile (told to release it, or lost): the release decides, not this late acquire.
    if (this.partitions.get(queue) !== 'acquiring') return;
    if (!recovered || this.closing || !this.owning.has(queue)) {
      this.partitions.delete(queue);
      return;
    }
    this.partitions.set(queue, 'active');
    this.consumer.addQueue(queue);
    this.options.onOwnershipChange?.(this.owned);
  }

  private async giveUp(queue: string, free: boolean): Promise<void> {
    const was = this.partitions.get(queue);
    this.partitions.set(queue, 'releasing');
    if (was === 'active') this.options.onOwnershipChange?.(this.owned);
    try {
      await this.consumer.drainQueue(queue);
      if (free) await this.scripts.release(this.options.keys.owners, this.member, queue);
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.partitions.delete(queue);
    }
  }

  /** Stops taking; held jobs stay held (to be completed, or put back by close). */
  async stop(): Promise<void> {
    this.closing = true;
    if (this.ticker) clearInterval(this.ticker);
    await this.ticking;
    await this.consumer.stop();
  }

  /**
   * Leaves the group. `putBack`: nothing is being written any more, so held jobs go back to the
   * head of their partitions now (the next owner takes them at once); otherwise they are left to
   * lapse (the next owner waits for that).
   */
  async close(options: { putBack: boolean }): Promise<void> {
    await this.stop();
    if (options.putBack) await this.consumer.releaseHeld().catch((error) => this.options.onError?.(error));
    await this.scripts
      .leave(this.options.keys.members, this.options.keys.owners, this.member)
      .catch((error: unknown) => this.options.onError?.(error));
    await this.consumer.close();
    this.redis.disconnect();
  }
}
