// Whether ingest can take writes that become events: the Redis its relay hands
// them to answers (a PING within a second), and the outbox is not stuck (its
// oldest mutation is younger than the limit). Accepted uploads are safe in the
// outbox either way; this says whether their events are flowing.
import { type Readiness, redisAnswers } from '@bucket-events/telemetry';
import type { Redis } from 'ioredis';

export interface IngestReadinessOptions {
  redis: Redis;
  oldestOutboxAgeSeconds(): number;
  /** An outbox whose oldest row is older than this is stuck. */
  stuckAfterSeconds: number;
}

export function ingestReadiness(options: IngestReadinessOptions): () => Promise<Readiness> {
  return async () => {
    if (!(await redisAnswers(options.redis))) return { ready: false, detail: 'redis unreachable' };
    const age = options.oldestOutboxAgeSeconds();
    if (age > options.stuckAfterSeconds)
      return { ready: false, detail: `outbox stuck: oldest row ${Math.round(age)} s old` };
    return { ready: true, detail: 'ready' };
  };
}
