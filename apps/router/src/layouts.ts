// The partition layout of every target, as the leading router routes by it.
// A target's layout is its number of partitions (contracts/partitions.ts); it
// changes to the configured number only when every queue of the old layout is
// empty — checked between two batches, when every earlier event is in its
// queue — so an object key's newer events can never overtake older ones left
// in another partition. Until then the old layout stays and the change is
// reported as pending (log and metric).
import { partitionKeys, queueForKey } from '@bucket-events/contracts';
import { ROUTE_LAYOUT, type ScriptCall, scriptCommand } from '@bucket-events/queue';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface LayoutTarget {
  /** The target's queue name (`target.<kind>.<id>`). */
  queue: string;
  /** Partitions from the configuration. */
  partitions: number;
}

export class TargetLayouts {
  private readonly layouts = new Map<string, number>();
  private readonly pending = new Set<string>();
  private readonly routeLayout: ScriptCall;
  private checkedAt = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly targets: readonly LayoutTarget[],
    private readonly log: Logger,
    /** How often the layouts are read again, in ms (a change waiting for a drain is noticed this fast). */
    private readonly checkEveryMs = 1000,
  ) {
    this.routeLayout = scriptCommand(redis, 'bucketEventsRouteLayout', 1, ROUTE_LAYOUT);
  }

  /** Targets whose configured partitions wait for the old layout to drain. */
  get pendingChanges(): number {
    return this.pending.size;
  }

  /** Reads (and where drained, changes) every target's layout, at most once per checkEveryMs. */
  async refresh(): Promise<void> {
    if (Date.now() - this.checkedAt < this.checkEveryMs && this.layouts.size === this.targets.length) return;
    await Promise.all(
      this.targets.map(async ({ queue, partitions }) => {
        const [layout, pending] = (await this.routeLayout(
          partitionKeys(this.prefix, queue).layout,
          `${this.prefix}:`,
          queue,
          partitions,
        )) as [number, number];
        const before = this.layouts.get(queue);
        this.layouts.set(queue, layout);
        if (before !== undefined && before !== layout)
          this.log.info({ queue, from: before, to: layout }, 'target partition layout changed');
        if (pending && !this.pending.has(queue))
          this.log.warn(
            { queue, layout, configured: partitions },
            'partition count changed: new layout waits until the old partitions are drained',
          );
        if (pending) this.pending.add(queue);
        else this.pending.delete(queue);
      }),
    );
    this.checkedAt = Date.now();
  }

  /** The queue an object key's events for a target go to (refresh() must have run once). */
  place = (queue: string, bucket: string, key: string): string => {
    const layout = this.layouts.get(queue);
    if (layout === undefined) throw new Error(`layout of ${queue} not read yet`);
    return queueForKey(queue, layout, bucket, key);
  };
}
