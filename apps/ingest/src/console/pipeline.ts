// The status page's first row: the stages before the targets. Ingest (this
// process): its outbox and whether its events flow to Redis. The router: from
// its heartbeats, whether one leads, how many stand by, and its lag — so a
// stopped router shows red even while every target is idle and green.
import { type RouterHeartbeat, routerHeartbeatKey } from '@bucket-events/contracts';
import { type Readiness, readLiveHeartbeats } from '@bucket-events/telemetry';
import type { Redis } from 'ioredis';

export interface PipelineStatus {
  ingest: { ready: boolean; detail: string; outboxRows: number; oldestOutboxSeconds: number };
  router: {
    state: 'leading' | 'no-leader' | 'no-process';
    processes: number;
    leader: string;
    lagSeconds: number;
    routed: number;
  };
}

export interface PipelineSources {
  redis: Redis;
  prefix: string;
  readiness(): Promise<Readiness>;
  outboxRows(): number;
  oldestOutboxSeconds(): number;
}

export async function readPipelineStatus(sources: PipelineSources): Promise<PipelineStatus> {
  const [readiness, routers] = await Promise.all([
    sources.readiness(),
    readLiveHeartbeats<RouterHeartbeat>(sources.redis, routerHeartbeatKey(sources.prefix)).catch(
      () => [] as RouterHeartbeat[],
    ),
  ]);
  const leader = routers.find((beat) => beat.leader);
  return {
    ingest: {
      ready: readiness.ready,
      detail: readiness.detail,
      outboxRows: sources.outboxRows(),
      oldestOutboxSeconds: sources.oldestOutboxSeconds(),
    },
    router: {
      state: routers.length === 0 ? 'no-process' : leader ? 'leading' : 'no-leader',
      processes: routers.length,
      leader: leader?.instance ?? '',
      lagSeconds: leader?.lagSeconds ?? 0,
      routed: leader?.routed ?? 0,
    },
  };
}
