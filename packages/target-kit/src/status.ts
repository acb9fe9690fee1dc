// How operators see a target: every target process writes a heartbeat to Redis
// each second (its counters, whether the target answers, its last error) into
// one hash per ARN, field = process. A heartbeat older than three intervals is a
// crashed process: ignored and removed. TargetStatusReader combines the
// heartbeats with the target's queues into one status per ARN — what the admin
// API (`admin targets`) and the status page show.
import {
  deadLetterQueueName,
  EVENT_COUNT_NAME_PREFIX,
  type TargetId,
  type TargetStatus,
  targetQueueName,
} from '@bucket-events/contracts';
import { countQueuedUnits } from '@bucket-events/queue';
import { type Beat, readLiveHeartbeats, startHeartbeatLoop } from '@bucket-events/telemetry';
import { Queue } from 'bullmq';
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
  private readonly queues = new Map<string, { live: Queue; dead: Queue }>();

  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix: string; redisUrl: string },
  ) {}

  async read(targets: readonly StatusTarget[]): Promise<TargetStatus[]> {
    return Promise.all(targets.map((target) => this.readOne(target)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].flatMap(({ live, dead }) => [live.close(), dead.close()]));
    this.queues.clear();
  }

  private queuesOf(target: StatusTarget) {
    let queues = this.queues.get(target.arn);
    if (!queues) {
      const connection = { url: this.options.redisUrl, maxRetriesPerRequest: null };
      const prefix = this.options.prefix;
      queues = {
        live: new Queue(targetQueueName(target), { prefix, connection }),
        dead: new Queue(deadLetterQueueName(target), { prefix, connection }),
      };
      queues.live.on('error', () => {});
      queues.dead.on('error', () => {});
      this.queues.set(target.arn, queues);
    }
    return queues;
  }

  private heartbeats(arn: string): Promise<TargetHeartbeat[]> {
    return readLiveHeartbeats<TargetHeartbeat>(this.redis, heartbeatKey(this.options.prefix, arn));
  }

  private async readOne(target: StatusTarget): Promise<TargetStatus> {
    const { live, dead } = this.queuesOf(target);
    const [beats, queued, counts, deadCount, [oldestWaiting]] = await Promise.all([
      this.heartbeats(target.arn),
      countQueuedUnits(this.redis, {
        prefix: this.options.prefix,
        queue: targetQueueName(target),
        namePrefix: EVENT_COUNT_NAME_PREFIX,
      }),
      live.getJobCounts('delayed', 'prioritized'),
      dead.getWaitingCount(),
      live.getJobs(['wait'], 0, 0, true),
    ]);
    const sum = (pick: (beat: TargetHeartbeat) => number) =>
      beats.reduce((total, beat) => total + pick(beat), 0);
    const latest = beats
      .filter((beat) => beat.lastErrorAt)
      .sort((a, b) => (a.lastErrorAt < b.lastErrorAt ? 1 : -1))[0];
    const waitingSeconds = oldestWaiting ? (Date.now() - oldestWaiting.timestamp) / 1000 : 0;
    const delivered = sum((beat) => beat.delivered);
    return {
      arn: target.arn,
      kind: target.kind,
      id: target.id,
      state: beats.length === 0 ? 'no-process' : beats.some((beat) => beat.online) ? 'online' : 'offline',
      processes: beats.length,
      backlog:
        queued.waiting + queued.active + Object.values(counts).reduce((total, count) => total + count, 0),
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
