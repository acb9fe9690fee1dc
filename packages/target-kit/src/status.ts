// How operators see a target: every target process writes a heartbeat to Redis
// each second (its counters, whether the target answers, its last error) into
// one hash per ARN, field = process. A heartbeat older than three intervals is a
// crashed process: ignored and removed. TargetStatusReader combines the
// heartbeats with the target's queues into one status per ARN — what the admin
// API (`admin targets`) and the status page show.
import {
  deadLetterQueueName,
  EVENT_COUNT_NAME_PREFIX,
  layoutQueueNames,
  partitionKeys,
  storedLayout,
  type TargetId,
  type TargetStatus,
  targetQueueName,
} from '@bucket-events/contracts';
import { countQueuedUnits, openQueue } from '@bucket-events/queue';
import { type Beat, readLiveHeartbeats, startHeartbeatLoop } from '@bucket-events/telemetry';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface TargetHeartbeat extends Beat {
  arn: string;
  /** Ready: connected to the target and not failing (run-target.ts). */
  online: boolean;
  received: number;
  delivered: number;
  failed: number;
  deadLettered: number;
  /** Events held by the process (taken from the queue, not yet confirmed). */
  held: number;
  /** The partition queues the process owns and takes from. */
  partitions: string[];
  /** Its id in the target's consumer group (the partition owners hash names it). */
  member: string;
  /** Age of the oldest held event, in seconds. */
  oldestHeldSeconds: number;
  /** Commit → confirmation of the events delivered since the previous heartbeat: mean and max, ms. */
  latencyMeanMs: number;
  latencyMaxMs: number;
  lastError: string;
  lastErrorAt: string;
}

/** The hash holding every process's heartbeat for one target (field = instance). */
export function heartbeatKey(prefix: string, arn: string): string {
  return `${prefix}:status:${arn}`;
}

/** Writes the target's heartbeat every second until stopped. */
export function startHeartbeat(
  redis: Redis,
  prefix: string,
  snapshot: () => TargetHeartbeat,
): { stop(): Promise<void> } {
  return startHeartbeatLoop(redis, heartbeatKey(prefix, snapshot().arn), snapshot);
}

export interface StatusTarget extends TargetId {
  arn: string;
}

/** Reads target statuses; keeps one queue handle per target between calls. */
export class TargetStatusReader {
  private readonly deadQueues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix: string; redisUrl: string },
  ) {}

  async read(targets: readonly StatusTarget[]): Promise<TargetStatus[]> {
    return Promise.all(targets.map((target) => this.readOne(target)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.deadQueues.values()].map((dead) => dead.close()));
    this.deadQueues.clear();
  }

  private deadQueueOf(target: StatusTarget): Queue {
    let dead = this.deadQueues.get(target.arn);
    if (!dead) {
      dead = openQueue(deadLetterQueueName(target), this.options);
      dead.on('error', () => {});
      this.deadQueues.set(target.arn, dead);
    }
    return dead;
  }

  /** Each partition's backlog (waiting + held) and the timestamp of its oldest waiting job. */
  private async partitionsOf(target: StatusTarget) {
    const base = targetQueueName(target);
    const keys = partitionKeys(this.options.prefix, base);
    const [layout, owners] = await Promise.all([
      this.redis.get(keys.layout),
      this.redis.hgetall(keys.owners),
    ]);
    const queues = layoutQueueNames(base, storedLayout(layout));
    return Promise.all(
      queues.map(async (queue) => {
        const jobKey = `${this.options.prefix}:${queue}:`;
        const [units, oldestId] = await Promise.all([
          countQueuedUnits(this.redis, {
            prefix: this.options.prefix,
            queue,
            namePrefix: EVENT_COUNT_NAME_PREFIX,
          }),
          this.redis.lindex(`${jobKey}wait`, -1),
        ]);
        const oldestAt = oldestId ? Number(await this.redis.hget(`${jobKey}${oldestId}`, 'timestamp')) : 0;
        return { queue, backlog: units.waiting + units.active, oldestAt, member: owners[queue] ?? '' };
      }),
    );
  }

  private heartbeats(arn: string): Promise<TargetHeartbeat[]> {
    return readLiveHeartbeats<TargetHeartbeat>(this.redis, heartbeatKey(this.options.prefix, arn));
  }

  private async readOne(target: StatusTarget): Promise<TargetStatus> {
    const [beats, partitions, deadCount] = await Promise.all([
      this.heartbeats(target.arn),
      this.partitionsOf(target),
      this.deadQueueOf(target).getWaitingCount(),
    ]);
    const sum = (pick: (beat: TargetHeartbeat) => number) =>
      beats.reduce((total, beat) => total + pick(beat), 0);
    const latest = beats
      .filter((beat) => beat.lastErrorAt)
      .sort((a, b) => (a.lastErrorAt < b.lastErrorAt ? 1 : -1))[0];
    const oldestAt = Math.min(...partitions.filter((p) => p.oldestAt > 0).map((p) => p.oldestAt));
    const waitingSeconds = Number.isFinite(oldestAt) ? (Date.now() - oldestAt) / 1000 : 0;
    const instanceOf = new Map(beats.map((beat) => [beat.member, beat.instance]));
    const delivered = sum((beat) => beat.delivered);
    return {
      arn: target.arn,
      kind: target.kind,
      id: target.id,
      state: beats.length === 0 ? 'no-process' : beats.some((beat) => beat.online) ? 'online' : 'offline',
      processes: beats.length,
      instances: beats.map((beat) => ({
        instance: beat.instance,
        online: beat.online,
        partitions: beat.partitions ?? [],
        held: beat.held,
        delivered: beat.delivered,
      })),
      backlog: partitions.reduce((total, p) => total + p.backlog, 0),
      partitions: partitions.map(({ queue, backlog, member }) => ({
        queue,
        backlog,
        owner: member === '' ? '' : (instanceOf.get(member) ?? member),
      })),
      oldestPendingSeconds: Math.max(waitingSeconds, ...beats.map((beat) => beat.oldestHeldSeconds)),
      delivered,
      failed: sum((beat) => beat.failed),
      deadLettered: deadCount,
      latencyMeanMs:
        delivered === 0 || beats.length === 0 ? 0 : Math.max(...beats.map((beat) => beat.latencyMeanMs)),
      latencyMaxMs: beats.length === 0 ? 0 : Math.max(...beats.map((beat) => beat.latencyMaxMs)),
      lastError: latest?.lastError ?? '',
      lastErrorAt: latest?.lastErrorAt ?? '',
    };
  }
}
