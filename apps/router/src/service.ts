// The router process's core: elects itself leader, recovers mutations an
// earlier leader left half-routed, then feeds BullMQ's `mutations` jobs (each a
// batch of mutations) through the RxJS routing pipeline; a job completes only
// after its job on every target queue is added (idempotently, under the batch's
// own job id), so a router killed at any point neither loses nor duplicates a
// fan-out.

import { hostname } from 'node:os';
import type { BucketEventsConfig } from '@bucket-events/config';
import {
  MUTATIONS_QUEUE,
  type MutationRecord,
  notificationConfigKey,
  notificationConfigurationSchema,
  PARTITION_COMPLETED_JOB_RETENTION,
  parseMutationJob,
  type RouterHeartbeat,
  routerHeartbeatKey,
  TARGET_JOB_MAX_EVENTS,
} from '@bucket-events/contracts';
import { createRedis, type HeldJob, JobAdder, OrderedConsumer, type TakenJob } from '@bucket-events/queue';
import {
  type BatchDelivery,
  type CompiledRule,
  compileRules,
  type FanoutJob,
  routeBatches,
} from '@bucket-events/router';
import { redisAnswers, startHeartbeatLoop } from '@bucket-events/telemetry';
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Subject, type Subscription } from 'rxjs';
import { TargetLayouts } from './layouts.ts';
import { LeaderLock } from './leader.ts';
import { createRouterMetrics } from './metrics.ts';

export interface RouterServiceOptions {
  config: BucketEventsConfig;
  redisUrl: string;
  prefix: string;
  eventSource: string;
  deploymentId: string;
  /** Raw mutation jobs (batches) taken ahead of the one being routed. */
  concurrency: number;
  log: Logger;
  /** Leader lock and job lock lifetime in ms: how fast a standby takes over after a crash. */
  lockMs?: number;
  /** The process's metrics registry (default: one of the router's own). */
  registry?: Registry;
}

interface Delivery extends BatchDelivery {
  /** Completes the raw mutation job: its job on every target queue is added. */
  acknowledge(): void;
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
  /** True while this instance holds the leader lock and routes. */
  leader(): boolean;
  /** Redis answers (leader or standby, the router can do its job). */
  redisReachable(): Promise<boolean>;
  close(): Promise<void>;
}

/** Routers started by this process so far: tells apart the heartbeats of several in one process. */
let routersStarted = 0;

export function startRouter(options: RouterServiceOptions): RunningRouter {
  const instance = `${hostname()}:${process.pid}:${++routersStarted}`;
  const { config, prefix, log } = options;
  const lockMs = options.lockMs ?? 10_000;
  const redis = createRedis(options.redisUrl, { maxRetriesPerRequest: null });
  // Every target queue adds through one connection, pipelined: a batch's adds to all its target
  // queues go to Redis in one write instead of one write (and one wake-up of Redis) per queue.
  const connection = createRedis(options.redisUrl, {
    maxRetriesPerRequest: null,
    enableAutoPipelining: true,
  });
  connection.on('error', () => {}); // adds retry across reconnects; failures surface as retries below
  redis.on('error', () => {}); // commands retry across reconnects; failures surface as retries below
  const jobs = new JobAdder(connection, prefix);
  const stats: RouterStats = { routed: 0, fannedOut: 0, unknownTargets: 0, retries: 0 };
  let isLeader = false;
  let lastLagSeconds = 0;
  // Reports fail fast while Redis is away: they are only reports.
  const statusRedis = createRedis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  statusRedis.on('error', () => {});
  const layouts = new TargetLayouts(
    redis,
    prefix,
    config.targets.map((t) => ({ queue: t.queue, partitions: t.options.partitions })),
    log,
  );
  const metrics = createRouterMetrics(options.registry ?? new Registry(), {
    leader: () => isLeader,
    waitingBatches: () => statusRedis.llen(`${prefix}:${MUTATIONS_QUEUE}:wait`),
    layoutChangesPending: () => (isLeader ? layouts.pendingChanges : 0),
  });
  const heartbeat = startHeartbeatLoop(
    statusRedis,
    routerHeartbeatKey(prefix),
    (): RouterHeartbeat => ({
      instance,
      leader: isLeader,
      routed: stats.routed,
      lagSeconds: lastLagSeconds,
      updatedAt: new Date().toISOString(),
    }),
  );
  const rulesCache = new Map<string, CompiledRule[]>();
  const deliveries = new Subject<Delivery>();
  let consumer: OrderedConsumer | undefined;
  let subscription: Subscription | undefined;
  let closing = false;

  const ports = {
    beforeBatch: () => layouts.refresh(),
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
    async enqueue(fanout: FanoutJob[]): Promise<void> {
      // While a target partition is behind, a batch's events join its newest waiting job (up to
      // TARGET_JOB_MAX_EVENTS): a backlog drains in large jobs although each batch is split P ways.
      await Promise.all(
        fanout.map(({ queue, jobId, data: { events, ...envelope } }) =>
          jobs.addEvents(
            queue,
            {
              id: jobId,
              envelope,
              events,
              opts: { removeOnComplete: PARTITION_COMPLETED_JOB_RETENTION, removeOnFail: false },
            },
            { maxEvents: TARGET_JOB_MAX_EVENTS, rememberIds: PARTITION_COMPLETED_JOB_RETENTION.count },
          ),
        ),
      );
    },
  };

  subscription = deliveries
    .pipe(
      routeBatches(ports, {
        eventSource: options.eventSource,
        deploymentId: options.deploymentId,
        queueByArn: new Map(config.targets.map((t) => [t.arn, t.queue])),
        place: layouts.place,
        retryDelayMs: 100,
        maxRetryDelayMs: 5000,
      }),
    )
    .subscribe({
      next: ({ delivery, plans, attempts }) => {
        stats.routed += plans.length;
        stats.retries += attempts - 1;
        for (let retry = 1; retry < attempts; retry++) metrics.retry();
        const now = Date.now();
        let misses = 0;
        for (const plan of plans) {
          stats.fannedOut += plan.events.length;
          stats.unknownTargets += plan.unknownArns.length;
          if (plan.events.length === 0 && plan.unknownArns.length === 0) misses += 1;
          for (const { event } of plan.events) metrics.fannedOut(event.arn, 1);
          for (const arn of plan.unknownArns) metrics.unknownTarget(arn);
          const committed = Date.parse(plan.mutation.eventTime);
          if (!Number.isNaN(committed)) {
            lastLagSeconds = Math.max(0, (now - committed) / 1000);
            metrics.lag(lastLagSeconds);
          }
          if (plan.unknownArns.length > 0) {
            log.warn(
              { arns: plan.unknownArns, sequencer: plan.mutation.sequencer },
              'rule names a target that is not enabled; not delivered',
            );
          }
        }
        metrics.routed(plans.length, misses);
        delivery.acknowledge();
      },
      error: (error) => log.fatal({ err: error }, 'routing pipeline failed'),
    });

  const onJob = (job: TakenJob, handle: HeldJob): void => {
    let mutations: MutationRecord[];
    try {
      mutations = parseMutationJob(job.data);
    } catch (error) {
      // A record this router cannot read will never become readable: fail it, visibly.
      log.error({ err: (error as Error).message, job: job.id }, 'invalid mutation record');
      void handle
        .fail(new UnrecoverableError(`invalid mutation record: ${(error as Error).message}`))
        .catch(() => {});
      return;
    }
    deliveries.next({
      id: job.id as string,
      mutations,
      acknowledge: () =>
        void handle
          .complete()
          .catch((error) =>
            log.warn(
              { err: (error as Error).message },
              'could not complete a routed mutation; it will be routed again',
            ),
          ),
    });
  };

  let leader = new LeaderLock(redis, `${prefix}:router:leader`, lockMs);
  let becameLeader: () => void = () => {};
  const leading = new Promise<void>((resolve) => {
    becameLeader = resolve;
  });
  // One term as leader: acquire the lock, route, and return when the lock is lost (Redis gone
  // for longer than the lock, say) or the router closes.
  const term = async () => {
    let lost: () => void = () => {};
    const lockLost = new Promise<void>((resolve) => {
      lost = resolve;
    });
    try {
      await leader.acquire(() => lost());
    } catch {
      return; // stopped while waiting: closing
    }
    if (closing) return;
    const termConsumer = new OrderedConsumer({
      queue: MUTATIONS_QUEUE,
      prefix,
      redisUrl: options.redisUrl,
      maxHeld: options.concurrency,
      lockMs,
      onJob,
      onError: (error) => log.warn({ err: (error as Error).message }, 'mutations consumer error'),
    });
    consumer = termConsumer;
    // Jobs a dead leader was routing must go first, or newer mutations of the same key would overtake
    // them: recovered in one pass once all their locks have lapsed. Only the leader takes mutations, so
    // every lock left belongs to a dead leader (or this router's previous term) and will lapse.
    log.info('recovering mutations an earlier router left in flight');
    if (!(await termConsumer.recoverPredecessorOrphans(Number.POSITIVE_INFINITY, () => closing))) return;
    termConsumer.start();
    isLeader = true;
    log.info({ targets: config.targets.map((t) => t.arn) }, 'router leading');
    becameLeader();
    await lockLost;
    isLeader = false;
    if (closing) return;
    // Another router may lead now; what this one held goes back to the queue when its locks lapse.
    log.error('router lost its leader lock; stepping down and standing for election again');
    await termConsumer.close().catch(() => {});
    consumer = undefined;
    leader = new LeaderLock(redis, `${prefix}:router:leader`, lockMs);
  };
  void (async () => {
    while (!closing)
      await term().catch((error) => log.error({ err: (error as Error).message }, 'leader term failed'));
  })();

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    isLeader = false;
    await heartbeat.stop();
    statusRedis.disconnect();
    leader.stop();
    await consumer?.close();
    subscription?.unsubscribe();
    deliveries.complete();
    await leader.release();
    connection.disconnect();
    redis.disconnect();
  }

  return {
    leading,
    stats,
    leader: () => isLeader,
    redisReachable: () => redisAnswers(statusRedis),
    close,
  };
}
