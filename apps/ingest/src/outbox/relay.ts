// Moves committed outbox rows to Redis in commit order: notification config
// versions are published first (immutable keys), mutation records become jobs
// on the `mutations` queue with an idempotent job id. Rows are deleted only
// after Redis accepted them, so a crash or a Redis outage delays events but
// never loses them; a re-add after a crash is a no-op thanks to the job id.
import {
  formatSequencer,
  liveMutationsChannel,
  MUTATION_SCHEMA_VERSION,
  MUTATIONS_QUEUE,
  type MutationRecord,
  notificationConfigKey,
} from '@bucket-events/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Metadata, OutboxRow } from '../storage/metadata.ts';

export interface RelayOptions {
  redisUrl: string;
  /** BullMQ key prefix (default `bull`). */
  prefix: string;
  /** Rows per round trip to Redis. */
  batchSize?: number;
  /** How long completed jobs are kept for de-duplication, in seconds. */
  keepCompletedSeconds?: number;
}

export function mutationJobId(sequencer: string): string {
  return `m-${sequencer}`;
}

export function toMutationRecord(row: OutboxRow): MutationRecord {
  return {
    schemaVersion: MUTATION_SCHEMA_VERSION,
    id: String(row.id),
    sequencer: formatSequencer(row.id),
    ...JSON.parse(row.payload),
  };
}

export class OutboxRelay {
  private readonly queue: Queue;
  /** For config versions: plain SETs, on a connection that fails fast while Redis is away. */
  private readonly redis: Redis;
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  /** Rows handed to Redis since start (for metrics and tests). */
  relayed = 0;

  constructor(
    private readonly metadata: Metadata,
    private readonly options: RelayOptions,
    private readonly log: Logger,
  ) {
    this.queue = new Queue(MUTATIONS_QUEUE, {
      prefix: options.prefix,
      // Fail fast while Redis is away; the relay retries with backoff and the rows wait in SQLite.
      connection: { url: options.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    });
    this.queue.on('error', () => {}); // connection errors surface in publish() and are retried there
    this.redis = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    this.redis.on('error', () => {});
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Called after each commit so the relay does not wait for its poll. */
  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    await this.queue.close();
    this.redis.disconnect();
  }

  private async loop(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    while (!this.stopped) {
      const rows = this.metadata.readOutbox(batchSize);
      if (rows.length === 0) {
        await this.sleep(1000);
        continue;
      }
      try {
        await this.publish(rows);
        this.metadata.deleteOutboxThrough((rows[rows.length - 1] as OutboxRow).id);
        this.relayed += rows.length;
        if (this.failures > 0) this.log.info({ after: this.failures }, 'outbox relay: Redis reachable again');
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        const delay = Math.min(100 * 2 ** Math.min(this.failures, 6), 5000);
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.log.warn(
            { err: (error as Error).message, pending: rows.length, retryInMs: delay },
            'outbox relay: cannot reach Redis',
          );
        }
        await this.sleep(delay);
      }
    }
  }

  private async publish(rows: OutboxRow[]): Promise<void> {
    const keep = this.options.keepCompletedSeconds ?? 24 * 3600;
    let jobs: { name: string; data: MutationRecord; opts: object }[] = [];
    const flush = async () => {
      if (jobs.length === 0) return;
      await this.queue.addBulk(jobs);
      // Live listeners get them too: best effort, like MinIO's (nobody may be listening).
      const records = jobs.map((job) => job.data);
      this.redis.publish(liveMutationsChannel(this.options.prefix), JSON.stringify(records)).catch(() => {});
      jobs = [];
    };
    for (const row of rows) {
      if (row.kind === 'config') {
        await flush();
        const { bucket, version, config } = JSON.parse(row.payload) as {
          bucket: string;
          version: number;
          config: unknown;
        };
        await this.redis.set(
          notificationConfigKey(this.options.prefix, bucket, version),
          JSON.stringify(config),
        );
        continue;
      }
      const record = toMutationRecord(row);
      jobs.push({
        name: record.eventName,
        data: record,
        opts: {
          jobId: mutationJobId(record.sequencer),
          removeOnComplete: { age: keep },
          removeOnFail: false,
          // The router retries in place; these only cover a router that gives up on a job (shutdown).
          attempts: 25,
          backoff: { type: 'exponential', delay: 1000 },
        },
      });
    }
    await flush();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
