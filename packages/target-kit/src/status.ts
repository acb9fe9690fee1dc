// How operators see a target: every target process writes a heartbeat to Redis
// each second (its counters, whether the target answers, its last error), with
// a short expiry, so a dead process simply disappears. readTargetStatuses()
// combines the heartbeats with the target's queues into one status per ARN —
// what `admin targets` and the status page show.
import { deadLetterQueueName, type TargetId, targetQueueName } from '@bucket-events/contracts';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface TargetHeartbeat {
  arn: string;
  /** `<host>:<pid>`. */
  instance: string;
  /** The last write reached the target. */
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
  updatedAt: string;
}

export const HEARTBEAT_INTERVAL_MS = 1000;

export function heartbeatKey(prefix: string, arn: string, instance: string): string {
  return `${prefix}:status:${arn}:${instance}`;
}

/** Writes the heartbeat every second until stopped; a failed write is simply tried again next time. */
export function startHeartbeat(
  redis: Redis,
  prefix: string,
  snapshot: () => TargetHeartbeat,
): { stop(): Promise<void> } {
  const write = () => {
    const beat = snapshot();
    return redis
      .set(
        heartbeatKey(prefix, beat.arn, beat.instance),
        JSON.stringify(beat),
        'PX',
        HEARTBEAT_INTERVAL_MS * 3,
      )
      .catch(() => {});
  };
  void write();
  const timer = setInterval(write, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      // Gone at once rather than after the expiry: a stopped process is not a target that is up.
      const beat = snapshot();
      await redis.del(heartbeatKey(prefix, beat.arn, beat.instance)).catch(() => {});
    },
  };
}

export type TargetState = 'online' | 'offline' | 'no-process';

export interface TargetStatus {
  arn: string;
  kind: string;
  id: string;
  /** online: some process reaches the target; offline: processes run but cannot; no-process: none runs. */
  state: TargetState;
  processes: number;
  /** Events not yet confirmed: waiting in the queue plus held by processes. */
  backlog: number;
  oldestPendingSeconds: number;
  delivered: number;
  failed: number;
  /** Events in the dead-letter queue now. */
  deadLettered: number;
  latencyMeanMs: number;
  latencyMaxMs: number;
  lastError: string;
  lastErrorAt: string;
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

  private async heartbeats(arn: string): Promise<TargetHeartbeat[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(
        cursor,
        'MATCH',
        heartbeatKey(this.options.prefix, arn, '*'),
        'COUNT',
        100,
      );
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys);
    return values.flatMap((value) => (value ? [JSON.parse(value) as TargetHeartbeat] : []));
  }

  private async readOne(target: StatusTarget): Promise<TargetStatus> {
    const { live, dead } = this.queuesOf(target);
    const [beats, counts, deadCount, [oldestWaiting]] = await Promise.all([
      this.heartbeats(target.arn),
      live.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
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
      backlog: Object.values(counts).reduce((total, count) => total + count, 0),
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
