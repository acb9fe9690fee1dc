// The router process's core: elects itself leader, recovers mutations an
// earlier leader left half-routed, then feeds BullMQ's `mutations` jobs through
// the RxJS routing pipeline; a job completes only after every target copy is
// queued (idempotently, job id = mutation sequencer), so a router killed at any
// point neither loses nor duplicates a fan-out.
import type { BucketEventsConfig } from '@bucket-events/config';
import {
  MUTATIONS_QUEUE,
  type MutationRecord,
  notificationConfigKey,
  notificationConfigurationSchema,
  parseMutationRecord,
} from '@bucket-events/contracts';
import {
  type CompiledRule,
  compileRules,
  type FanoutJob,
  type MutationDelivery,
  routeMutations,
} from '@bucket-events/router';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Subject, type Subscription } from 'rxjs';
import { LeaderLock } from './leader.ts';

export interface RouterServiceOptions {
  config: BucketEventsConfig;
  redisUrl: string;
  prefix: string;
  eventSource: string;
  deploymentId: string;
  /** Raw mutations routed at once. */
  concurrency: number;
  log: Logger;
  /** Leader lock and job lock lifetime in ms: how fast a standby takes over after a crash. */
  lockMs?: number;
  /** How long completed target jobs are kept to de-duplicate a repeated fan-out, in seconds. */
  keepCompletedSeconds?: number;
}

interface Delivery extends MutationDelivery {
  resolve(value: { targets: number }): void;
}

export interface RouterStats {
  routed: number;
  fannedOut: number;
  unknownTargets: number;
  retries: number;
}

export interface RunningRouter {
  /** Resolves once this instance leads and routes. */
  leading: Promise<void>;
  stats: RouterStats;
  close(): Promise<void>;
}

export function startRouter(options: RouterServiceOptions): RunningRouter {
  const { config, prefix, log } = options;
  const lockMs = options.lockMs ?? 10_000;
  const keep = options.keepCompletedSeconds ?? 3600;
  const connection = { url: options.redisUrl, maxRetriesPerRequest: null };
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => {}); // commands retry across reconnects; failures surface as retries below
  const queues = new Map(config.targets.map((t) => [t.queue, new Queue(t.queue, { prefix, connection })]));
  for (const queue of queues.values()) queue.on('error', () => {});
  const mutations = new Queue(MUTATIONS_QUEUE, { prefix, connection });
  mutations.on('error', () => {});
  const stats: RouterStats = { routed: 0, fannedOut: 0, unknownTargets: 0, retries: 0 };
  const rulesCache = new Map<string, CompiledRule[]>();
  const deliveries = new Subject<Delivery>();
  let worker: Worker | undefined;
  let subscription: Subscription | undefined;
  let closing = false;

  const ports = {
    async rules(bucket: string, version: number): Promise<CompiledRule[]> {
      if (version === 0) return [];
      const cacheKey = `${bucket}\n${version}`;
      const cached = rulesCache.get(cacheKey);
      if (cached) return cached;
      const stored = await redis.get(notificationConfigKey(prefix, bucket, version));
      // Ingest publishes a version before any record that names it; absent means not yet visible here.
      if (stored === null) throw new Error(`notification config ${bucket} v${version} not found`);
      const rules = compileRules(notificationConfigurationSchema.parse(JSON.parse(stored)));
      rulesCache.set(cacheKey, rules); // versions are immutable: cache forever
      return rules;
    },
    async enqueue(jobs: FanoutJob[]): Promise<void> {
      const byQueue = new Map<string, FanoutJob[]>();
      for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
      await Promise.all(
        [...byQueue].map(([name, list]) =>
          (queues.get(name) as Queue).addBulk(
            list.map((job) => ({
              name: job.data.record.eventName,
              data: job.data,
              opts: { jobId: job.jobId, removeOnComplete: { age: keep }, removeOnFail: false },
            })),
          ),
        ),
      );
    },
  };

  subscription = deliveries
    .pipe(
      routeMutations(ports, {
        eventSource: options.eventSource,
        deploymentId: options.deploymentId,
        queueByArn: new Map(config.targets.map((t) => [t.arn, t.queue])),
        concurrency: options.concurrency,
        retryDelayMs: 100,
        maxRetryDelayMs: 5000,
      }),
    )
    .subscribe({
      next: ({ delivery, plan, attempts }) => {
        stats.routed += 1;
        stats.fannedOut += plan.jobs.length;
        stats.unknownTargets += plan.unknownArns.length;
        stats.retries += attempts - 1;
        if (plan.unknownArns.length > 0) {
          log.warn(
            { arns: plan.unknownArns, sequencer: delivery.mutation.sequencer },
            'rule names a target that is not enabled; not delivered',
          );
        }
        delivery.resolve({ targets: plan.jobs.length });
      },
      error: (error) => log.fatal({ err: error }, 'routing pipeline failed'),
    });

  const routeJob = async (job: Job): Promise<{ targets: number }> => {
    let mutation: MutationRecord;
    try {
      mutation = parseMutationRecord(job.data);
    } catch (error) {
      // A record this router cannot read will never become readable: fail it, visibly.
      throw new UnrecoverableError(`invalid mutation record: ${(error as Error).message}`);
    }
    return new Promise((resolve) => deliveries.next({ mutation, resolve }));
  };

  const leader = new LeaderLock(redis, `${prefix}:router:leader`, lockMs);
  const leading = (async () => {
    await leader.acquire(() => {
      log.error('router lost its leader lock; stopping');
      void close();
    });
    if (closing) return;
    worker = new Worker(MUTATIONS_QUEUE, routeJob, {
      prefix,
      connection,
      autorun: false,
      concurrency: options.concurrency,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, lockMs / 2),
      // A router may be killed many times while routing a job; never fail a job for that.
      maxStalledCount: 1_000_000,
    });
    worker.on('error', (error) => log.warn({ err: error.message }, 'mutations worker error'));
    // Jobs a dead leader was routing must go first, or newer mutations of the same key would overtake them.
    await worker.startStalledCheckTimer();
    for (let waited = 0; (await mutations.getActiveCount()) > 0; waited += 250) {
      if (closing) return;
      if (waited % 5000 === 0) log.info('waiting for mutations an earlier router left in flight');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    void worker.run();
    log.info({ targets: config.targets.map((t) => t.arn) }, 'router leading');
  })();

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    leader.stop();
    await worker?.close();
    subscription?.unsubscribe();
    deliveries.complete();
    await leader.release();
    await Promise.all([...queues.values(), mutations].map((queue) => queue.close()));
    redis.disconnect();
  }

  return { leading, stats, close };
}
