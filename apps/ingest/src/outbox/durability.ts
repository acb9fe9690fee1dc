// When the relay may delete outbox rows: after Redis accepted their jobs
// (`ack`, the default), after Redis wrote them to its disk (`fsync`: Redis must
// run `appendonly yes` and `appendfsync always`, so it answers only after the
// fsync), or after N replicas have them (`replicas:N`, Redis's WAIT). Until
// then the rows stay, and a round that is not yet durable is sent again (same
// job ids, so Redis ignores what it already has).
//
//   what survives          ack              fsync            replicas:N
//   ingest crash           yes              yes              yes
//   Redis restart          ≤ 1 s lost (*)   yes              yes (replica)
//   Redis host power loss  ≤ 1 s lost (*)   yes              yes if a replica survives
//   (*) with Redis's appendfsync everysec, as infra/local and compose run it.
import type { Redis } from 'ioredis';

export type RedisDurability = { mode: 'ack' } | { mode: 'fsync' } | { mode: 'replicas'; replicas: number };

/** `ack` | `fsync` | `replicas:N`, as BUCKET_EVENTS_REDIS_DURABILITY spells it. */
export function parseRedisDurability(text: string): RedisDurability {
  if (text === 'ack' || text === 'fsync') return { mode: text };
  const match = /^replicas:([1-9]\d*)$/.exec(text);
  if (match) return { mode: 'replicas', replicas: Number(match[1]) };
  throw new Error(`expected "ack", "fsync" or "replicas:N" (N ≥ 1), got "${text}"`);
}

/** Thrown while Redis cannot give the durability asked for: the round's rows are kept and retried. */
export class NotDurableError extends Error {}

/** How long a round waits for its replicas before it counts as not durable (and is sent again). */
const WAIT_TIMEOUT_MS = 5000;
/** How often the fsync setting of Redis is read again (it may restart with another configuration). */
const RECHECK_MS = 10_000;

export class DurabilityGate {
  private verifiedAt = 0;

  constructor(
    private readonly redis: Redis,
    readonly durability: RedisDurability,
  ) {}

  /** Before a round: refuses when Redis is not configured for the durability asked for. */
  async beforeRound(): Promise<void> {
    if (this.durability.mode !== 'fsync' || Date.now() - this.verifiedAt < RECHECK_MS) return;
    // One round trip: CONFIG GET answers name/value pairs for every parameter matching the pattern.
    const pairs = (await this.redis.config('GET', 'append*')) as string[];
    const setting = (name: string) => pairs[pairs.indexOf(name) + 1];
    const appendonly = setting('appendonly');
    const appendfsync = setting('appendfsync');
    if (appendonly !== 'yes' || appendfsync !== 'always')
      throw new NotDurableError(
        `BUCKET_EVENTS_REDIS_DURABILITY=fsync needs Redis with appendonly yes and appendfsync always (it runs appendonly ${appendonly}, appendfsync ${appendfsync}); outbox rows are kept until it does`,
      );
    this.verifiedAt = Date.now();
  }

  /** After a round was accepted: resolves once it is as durable as asked. */
  async afterRound(): Promise<void> {
    if (this.durability.mode !== 'replicas') return;
    const acknowledged = await this.redis.wait(this.durability.replicas, WAIT_TIMEOUT_MS);
    if (acknowledged < this.durability.replicas)
      throw new NotDurableError(
        `${acknowledged} of ${this.durability.replicas} Redis replicas confirmed the round within ${WAIT_TIMEOUT_MS} ms; outbox rows are kept and the round is sent again`,
      );
  }
}
