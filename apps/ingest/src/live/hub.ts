// Live listeners (MinIO's ListenBucketNotification): every ingest relays its
// committed mutations to one Redis pub/sub channel; each ingest subscribes to
// it while it has listeners and writes matching events to them. Delivery to a
// listener never waits: a listener whose connection cannot keep up loses events
// (as in MinIO) instead of slowing uploads or other listeners.
import {
  eventNameMatches,
  liveMutationsChannel,
  type MutationRecord,
  wantsAccessEvents,
} from '@bucket-events/contracts';
import { createRedis } from '@bucket-events/queue';
import { buildEventRecord, type EnrichOptions, filterPattern, matchSimple } from '@bucket-events/router';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface ListenerFilter {
  /** Only this bucket's events; undefined = every bucket. */
  bucket: string | undefined;
  events: string[];
  prefix: string;
  suffix: string;
}

export interface Listener {
  filter: ListenerFilter;
  /** Writes one line; returns false when the connection is backed up (the event was dropped). */
  send(line: string): boolean;
}

interface Registered extends Listener {
  pattern: string;
  dropped: number;
}

export class LiveHub {
  private readonly listeners = new Set<Registered>();
  private subscriber: Redis | undefined;
  private subscribed: Promise<void> | undefined;

  constructor(
    private readonly options: { redisUrl: string; prefix: string; enrich: EnrichOptions },
    private readonly log: Logger,
  ) {}

  /**
   * Adds a listener once the hub's Redis subscription is confirmed, so that every
   * mutation relayed after this resolves reaches it; resolves to its removal.
   */
  async add(listener: Listener): Promise<() => void> {
    await this.ensureSubscribed();
    const filterRules = [
      ...(listener.filter.prefix ? [{ name: 'prefix' as const, value: listener.filter.prefix }] : []),
      ...(listener.filter.suffix ? [{ name: 'suffix' as const, value: listener.filter.suffix }] : []),
    ];
    const registered: Registered = { ...listener, pattern: filterPattern(filterRules), dropped: 0 };
    this.listeners.add(registered);
    return () => {
      this.listeners.delete(registered);
      if (registered.dropped > 0)
        this.log.info({ dropped: registered.dropped }, 'listener closed; it missed events');
      if (this.listeners.size === 0) this.unsubscribe();
    };
  }

  /** Whether some listener here wants GET/HEAD events of this bucket (so they get recorded). */
  wantsAccessEvents(bucket: string): boolean {
    for (const listener of this.listeners) {
      const { filter } = listener;
      if ((filter.bucket === undefined || filter.bucket === bucket) && wantsAccessEvents(filter.events))
        return true;
    }
    return false;
  }

  get size(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.unsubscribe();
  }

  private ensureSubscribed(): Promise<void> {
    if (!this.subscriber) {
      const subscriber = createRedis(this.options.redisUrl, {
        lazyConnect: false,
        maxRetriesPerRequest: null,
      });
      subscriber.on('error', (error) =>
        this.log.debug({ err: error.message }, 'live subscriber: Redis error'),
      );
      subscriber.on('message', (_channel, message) => this.dispatch(message));
      this.subscriber = subscriber;
      this.subscribed = subscriber.subscribe(liveMutationsChannel(this.options.prefix)).then(() => {});
      // A failed first subscription is retried by the next listener.
      this.subscribed.catch(() => {
        if (this.subscriber === subscriber && this.listeners.size === 0) this.unsubscribe();
      });
    }
    return this.subscribed as Promise<void>;
  }

  private unsubscribe() {
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    this.subscribed = undefined;
  }

  private dispatch(message: string) {
    let mutations: MutationRecord[];
    try {
      mutations = JSON.parse(message) as MutationRecord[];
    } catch {
      return;
    }
    for (const mutation of mutations) {
      let line: string | undefined;
      for (const listener of this.listeners) {
        const { filter } = listener;
        if (filter.bucket !== undefined && filter.bucket !== mutation.bucket) continue;
        if (!filter.events.some((event) => eventNameMatches(event, mutation.eventName))) continue;
        if (!matchSimple(listener.pattern, mutation.key)) continue;
        if (line === undefined) {
          const record = buildEventRecord(mutation, 'Config', this.options.enrich);
          // Listeners get the raw key, not the URL-escaped one targets get (as MinIO does).
          record.s3.object.key = mutation.key;
          line = `${JSON.stringify({ Records: [record] })}\n`;
        }
        if (!listener.send(line)) listener.dropped += 1;
      }
    }
  }
}
