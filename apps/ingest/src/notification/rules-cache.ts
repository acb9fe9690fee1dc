// The notification configuration of each bucket, cached in memory: handlers ask
// it whether a bucket wants ObjectAccessed events before writing a record for a
// GET or HEAD, and the GET ?notification handler reads it back.
import { wantsAccessEvents } from '@bucket-events/contracts';
import type { Metadata } from '../storage/metadata.ts';
import type { NotificationConfiguration } from './config-xml.ts';

export class NotificationRules {
  private readonly cache = new Map<
    string,
    { config: NotificationConfiguration | undefined; wantsAccess: boolean }
  >();

  constructor(private readonly metadata: Pick<Metadata, 'getNotification'>) {}

  get(bucket: string): NotificationConfiguration | undefined {
    return this.entry(bucket).config;
  }

  wantsAccessEvents(bucket: string): boolean {
    return this.entry(bucket).wantsAccess;
  }

  /** Stores a new version (an empty configuration removes every rule) and refreshes the cache. */
  put(
    bucket: string,
    config: NotificationConfiguration,
    store: { putNotification(b: string, c: string): number },
  ): number {
    const version = store.putNotification(bucket, JSON.stringify(config));
    this.cache.delete(bucket);
    return version;
  }

  forget(bucket: string): void {
    this.cache.delete(bucket);
  }

  private entry(bucket: string) {
    let entry = this.cache.get(bucket);
    if (!entry) {
      const stored = this.metadata.getNotification(bucket);
      const config = stored ? (JSON.parse(stored.config) as NotificationConfiguration) : undefined;
      const events = config?.queueConfigurations.flatMap((queue) => queue.events) ?? [];
      entry = { config, wantsAccess: wantsAccessEvents(events) };
      this.cache.set(bucket, entry);
    }
    return entry;
  }
}
