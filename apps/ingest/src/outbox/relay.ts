// Moves committed outbox rows to Redis in commit order, a round at a time:
// notification config versions are published first (immutable keys), the
// mutation records between them become batch jobs on the `mutations` queue
// with an idempotent job id. A round's rows are recorded before they go out and
// deleted only after Redis accepted them, so a crash or a Redis outage delays
// events but never loses them, and a round repeated after a crash makes the
// same jobs under the same ids: a no-op for those already added.
import {
  COMPLETED_JOB_RETENTION,
  formatSequencer,
  liveMutationsChannel,
  MUTATION_BATCH_SCHEMA_VERSION,
  MUTATION_SCHEMA_VERSION,
  MUTATIONS_QUEUE,
  type MutationBatch,
  type MutationRecord,
  mutationBatchJobId,
  notificationConfigKey,
} from '@bucket-events/contracts';
import { createRedis, JobAdder } from '@bucket-events/queue';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { OutboxRow } from '../storage/metadata.ts';
import type { Outbox } from '../storage/object-store.ts';
import type { RelayObserver } from '../telemetry/metrics.ts';
import { DurabilityGate, NotDurableError, type RedisDurability } from './durability.ts';
import { DEFAULT_ROUND_PACING, RoundPacer, type RoundPacing } from './pacing.ts';

export interface RelayOptions {
  redisUrl: string;
  /** BullMQ key prefix (default `bull`). */
  prefix: string;
  /** Most rows in one round (one round trip to Redis). Default 200. */
  batchSize?: number;
  /** When a round waits to collect more rows (default DEFAULT_ROUND_PACING). */
  pacing?: RoundPacing;
  /** Told of every round and failure (metrics). */
  observer?: RelayObserver;
  /** When rows may be deleted (default: once Redis accepted their jobs). */
  durability?: RedisDurability;
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
  /**
   * Config versions (plain SETs) and jobs, on one connection that fails fast while Redis is
   * away, so a version's SET reaches Redis before the add of the first job that names it.
   */
  private readonly redis: Redis;
  private readonly jobs: JobAdder;
  private readonly gate: DurabilityGate;
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly options: RelayOptions,
    private readonly log: Logger,
  ) {
    // Fail fast while Redis is away; the relay retries with backoff and the rows wait in SQLite.
    this.redis = createRedis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    this.redis.on('error', () => {}); // connection errors surface in publish() and are retried there
    this.jobs = new JobAdder(this.redis, options.prefix);
    this.gate = new DurabilityGate(this.redis, options.durability ?? { mode: 'ack' });
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
    this.redis.disconnect();
  }

  private async loop(): Promise<void> {
    const batchSize = this.options.batchSize ?? 200;
    const pacer = new RoundPacer(this.options.pacing ?? DEFAULT_ROUND_PACING, batchSize);
    let rows = this.outbox.beginRelayRound(batchSize);
    while (!this.stopped) {
      if (rows.length === 0) {
        await this.sleep(1000);
        rows = this.outbox.beginRelayRound(batchSize);
        continue;
      }
      try {
        await this.gate.beforeRound();
        const records = await this.publish(rows);
        // Rows go only once their jobs are as durable as configured; else the round is sent again.
        await this.gate.afterRound();
        this.options.observer?.round(records.count, records.oldestLagSeconds);
        const lastId = (rows[rows.length - 1] as OutboxRow).id;
        const pause = pacer.afterRound(rows.length);
        if (pause > 0) {
          this.outbox.endRelayRound(lastId, 0);
          // Not cut short by notify(): the point is to let commits gather.
          await new Promise((resolve) => setTimeout(resolve, pause));
          rows = this.outbox.beginRelayRound(batchSize);
        } else {
          // One transaction ends this round and begins the next.
          rows = this.outbox.endRelayRound(lastId, batchSize);
        }
        if (this.failures > 0) this.log.info({ after: this.failures }, 'outbox relay: Redis reachable again');
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        this.options.observer?.failure();
        const delay = Math.min(100 * 2 ** Math.min(this.failures, 6), 5000);
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.log.warn(
            { err: (error as Error).message, pending: rows.length, retryInMs: delay },
            error instanceof NotDurableError
              ? 'outbox relay: Redis does not keep rounds as durably as configured'
              : 'outbox relay: cannot reach Redis',
          );
        }
        await this.sleep(delay);
      }
    }
  }

  /** Hands the rows to Redis; says how many were mutation records and how old the oldest commit was. */
  private async publish(rows: OutboxRow[]): Promise<{ count: number; oldestLagSeconds: number | undefined }> {
    let batch: MutationRecord[] = [];
    let count = 0;
    let oldestCommit: number | undefined;
    // The records between two config rows make one job: a config version reaches Redis before
    // the first record that names it.
    const flush = async () => {
      const first = batch[0];
      if (!first) return;
      const data: MutationBatch = { batchVersion: MUTATION_BATCH_SCHEMA_VERSION, mutations: batch };
      await this.jobs.add(MUTATIONS_QUEUE, {
        id: mutationBatchJobId(first.sequencer),
        name: 'mutations',
        data,
        opts: {
          removeOnComplete: COMPLETED_JOB_RETENTION,
          removeOnFail: false,
          // The router retries in place; these only cover a router that gives up on a job (shutdown).
          attempts: 25,
          backoff: { type: 'exponential', delay: 1000 },
        },
      });
      // Live listeners get them too: best effort, like MinIO's (nobody may be listening).
      this.redis.publish(liveMutationsChannel(this.options.prefix), JSON.stringify(batch)).catch(() => {});
      batch = [];
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
      count += 1;
      oldestCommit ??= Date.parse(record.eventTime);
      batch.push(record);
    }
    await flush();
    const lag = oldestCommit === undefined ? Number.NaN : (Date.now() - oldestCommit) / 1000;
    return { count, oldestLagSeconds: Number.isNaN(lag) ? undefined : Math.max(0, lag) };
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
