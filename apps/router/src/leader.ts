// One active router at a time keeps per-key order: routers elect a leader with
// a Redis lock (SET NX PX, renewed); standbys wait and take over when the
// leader's lock expires. Losing the lock stops routing at once.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class LeaderLock {
  readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** Resolves once this instance holds the lock; `onLost` is called if it is ever lost. */
  async acquire(onLost: () => void): Promise<void> {
    for (;;) {
      if (this.stopped) throw new Error('leader lock stopped');
      const taken = await this.redis.set(this.key, this.id, 'PX', this.ttlMs, 'NX').catch(() => null);
      if (taken === 'OK') break;
      await new Promise((resolve) => setTimeout(resolve, Math.max(200, this.ttlMs / 5)));
    }
    this.timer = setInterval(async () => {
      const renewed = await this.redis.eval(RENEW, 1, this.key, this.id, String(this.ttlMs)).catch(() => 0);
      if (renewed !== 1 && !this.stopped) {
        this.stop();
        onLost();
      }
    }, this.ttlMs / 3);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  async release(): Promise<void> {
    this.stop();
    await this.redis.eval(RELEASE, 1, this.key, this.id).catch(() => {});
  }
}
