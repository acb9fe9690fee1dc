// runTarget(): a target app in one call. Joins the target's consumer group and
// consumes the partitions of the target's queue it owns (each job one event or
// a batch of them); routes each event into its key's lane; writes lane heads in batches
// through the sink; retries failures in place with backoff and jitter (the job
// stays active, so nothing later of that key overtakes it); dead-letters what
// the target rejects; completes a job only after the target confirmed every
// event in it. Its parts: the connection and its backoff (target-connection.ts),
// what to do after a write (write-decision.ts, pure), dead letters
// (dead-letter-writer.ts), the counts metrics and heartbeat share
// (delivery-telemetry.ts), and the writers' wake-ups (wakeups.ts).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  DEFAULT_TARGET_PARTITIONS,
  EVENT_COUNT_NAME_PREFIX,
  layoutQueueNames,
  parseTargetJobs,
  partitionKeys,
  type TargetJob,
} from '@bucket-events/contracts';
import {
  countQueuedUnits,
  createRedis,
  type HeldJob,
  PartitionedConsumer,
  type TakenJob,
} from '@bucket-events/queue';
import { startOpsServer, withTimeout } from '@bucket-events/telemetry';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { DeadLetterWriter } from './dead-letter-writer.ts';
import { DeliveryTelemetry } from './delivery-telemetry.ts';
import { describeError, type ErrorClass, TargetError } from './errors.ts';
import { backoffDelay, type LaneItem, Lanes } from './lanes.ts';
import { createTargetMetrics, type TargetMetrics } from './metrics.ts';
import type { TargetSink } from './sink.ts';
import { startHeartbeat, type TargetHeartbeat } from './status.ts';
import { TargetConnection } from './target-connection.ts';
import { Wakeups } from './wakeups.ts';
import { decideAfterWrite, retryBackoffFactor, type WriteOutcome } from './write-decision.ts';

export interface TargetIdentity {
  kind: string;
  id: string;
  arn: string;
  /** The target's queue name (`target.<kind>.<id>`); its partitions are `<queue>.p<n>`. */
  queue: string;
  /** Partitions from the configuration (default 16): the layout until the router changes it. */
  partitions?: number;
}

export interface RunTargetOptions {
  target: TargetIdentity;
  sink: TargetSink;
  redisUrl: string;
  /** BullMQ key prefix shared with ingest and router. */
  prefix: string;
  log: Logger;
  /** Events held at once (taken from the queue and not yet confirmed). Default 2000. */
  maxInFlight?: number;
  /** Most events per sink.write(). Default 500. */
  batchSize?: number;
  /** Batches written at once (over disjoint keys). Default 4. */
  concurrentBatches?: number;
  /** Backoff: first delay and cap, in ms. Defaults 100 and 30 000. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** The process's registry, shared by all its targets (default: one of this target's own). */
  registry?: Registry;
  /** Serve /metrics, /healthz and /readyz on this port (0 = any free port; undefined = none). */
  httpPort?: number;
  /**
   * While no write has shown the target answering for this long, the kit asks the sink's probe(),
   * so an idle target that went away is reported down within a few seconds. Default 2000 ms.
   */
  probeIntervalMs?: number;
  /** A write the target has not answered within this many ms counts as a dropped connection. Default 30 000. */
  writeTimeoutMs?: number;
  /** How long close() waits for held events to be delivered before releasing them, in ms. Default 10 000. */
  drainTimeoutMs?: number;
  /** Job lock lifetime in ms: how soon events held by a crashed process are delivered by another. Default 10 000. */
  lockMs?: number;
  /** How long this process stays in the target's consumer group without renewing, in ms. Default: half the lock lifetime, at least 2000. */
  leaseMs?: number;
  /**
   * Backlog (events waiting in the target's queue) above which the target is
   * reported over its limit (config `queueLimit`; 0 = 100 000). Policy: keep
   * every event and alarm (log + `bucket_events_queue_over_limit`), never drop.
   */
  queueLimit?: number;
}

export interface RunningTarget {
  metrics: TargetMetrics;
  /** The /metrics server's port, when one was asked for. */
  httpPort: number | undefined;
  /**
   * The one readiness rule: connected and not failing, whether or not anything was written yet.
   * /readyz, `bucket_events_target_up`, the heartbeat (status page, `admin targets`) all use it.
   */
  ready(): boolean;
  close(): Promise<void>;
}

interface Held {
  job: TargetJob;
  settle(): Promise<void>;
}

export async function runTarget(options: RunTargetOptions): Promise<RunningTarget> {
  const { target, sink, log, prefix } = options;
  const batchSize = options.batchSize ?? 500;
  const retryInitialMs = options.retryInitialMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const lanes = new Lanes<Held>();
  const wakeups = new Wakeups();
  // Heartbeats and backlog counts: fails fast while Redis is away (they are only reports).
  const statusRedis = createRedis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  statusRedis.on('error', () => {});
  /** Events (not jobs: a job may carry many) waiting in one queue. */
  const waitingIn = async (queue: string) =>
    (await countQueuedUnits(statusRedis, { prefix, queue, namePrefix: EVENT_COUNT_NAME_PREFIX })).waiting;
  /** Events waiting in all the target's partitions. */
  const waitingEvents = async () => {
    const counts = await Promise.all(
      layoutQueueNames(target.queue, consumer.layout ?? configuredPartitions).map(waitingIn),
    );
    return counts.reduce((total, count) => total + count, 0);
  };
  const configuredPartitions = target.partitions ?? DEFAULT_TARGET_PARTITIONS;
  const connection = new TargetConnection({
    sink,
    log,
    wakeups,
    retryInitialMs,
    retryMaxMs,
    probeIntervalMs: options.probeIntervalMs ?? 2000,
    noteError: (error) => telemetry.noteError(error),
  });
  // Closing after the drain timed out: writers take no new batch, so held events can be put back.
  let abandoned = false;
  const ready = () => connection.ready();
  const metrics = createTargetMetrics(
    options.registry ?? new Registry(),
    { target: target.arn, kind: target.kind, id: target.id },
    {
      ready,
      queueDepth: waitingEvents,
      partitionDepths: async () => {
        const owned = consumer.owned;
        const depths = await Promise.all(owned.map(waitingIn));
        return new Map(owned.map((queue, index) => [queue, depths[index] ?? 0]));
      },
      partitionsOwned: () => consumer.owned.length,
      inFlight: () => lanes.size,
      oldestPendingSeconds: () => {
        const oldest = lanes.oldestEnqueuedAt();
        return oldest === undefined ? 0 : (Date.now() - oldest) / 1000;
      },
    },
  );
  const telemetry = new DeliveryTelemetry(metrics);
  const deadLetters = new DeadLetterWriter(target, prefix, options.redisUrl, telemetry, log);
  let globalPauseUntil = 0;

  // Completing the job is the acknowledgement: it happens only after the target confirmed (or the
  // event was dead-lettered). If it fails, the job is redelivered later: a duplicate, never a loss.
  const acknowledge = (handle: HeldJob) => () =>
    handle
      .complete()
      .catch((error) =>
        log.warn({ err: describeError(error) }, 'could not complete job; it will be redelivered'),
      );

  const onJob = (job: TakenJob, handle: HeldJob): number => {
    let events: TargetJob[];
    try {
      events = parseTargetJobs(job.data);
    } catch (error) {
      telemetry.received(1);
      void deadLetters
        .write(job.data, new TargetError('fatal', `invalid target job: ${describeError(error)}`), 0)
        .then(acknowledge(handle), (failure) =>
          log.error({ err: describeError(failure) }, 'could not dead-letter an invalid job'),
        );
      return 1;
    }
    telemetry.received(events.length);
    // The events now live in their lanes; the job only needs its id to be completed.
    job.data = undefined;
    // The job completes once its last event is confirmed or dead-lettered; each settled event
    // frees its room at once, so a key held up by retries holds only its own events' room.
    let unsettled = events.length;
    const complete = acknowledge(handle);
    const settle = async () => {
      handle.release(1);
      unsettled -= 1;
      if (unsettled === 0) await complete();
    };
    const now = Date.now();
    for (const event of events) lanes.add(`${event.bucket}/${event.key}`, { job: event, settle }, now);
    wakeups.signal();
    return events.length;
  };

  const settleDelivered = (item: LaneItem<Held>) => {
    lanes.done(item);
    telemetry.delivered(item.value.job.record.eventTime);
    void item.value.settle();
  };

  const settleDead = async (item: LaneItem<Held>, error: unknown) => {
    await deadLetters.write(item.value.job, error, item.attempts + 1);
    lanes.done(item);
    void item.value.settle();
  };

  const scheduleRetry = (item: LaneItem<Held>, classification: ErrorClass) => {
    telemetry.retried();
    const initial = retryInitialMs * retryBackoffFactor(classification);
    lanes.retry(item, backoffDelay(item.attempts + 1, initial, retryMaxMs), Date.now());
  };

  const writeLoop = async () => {
    while ((!connection.stopping || lanes.size > 0) && !abandoned) {
      if (connection.stopping && !connection.connected) return;
      await connection.ensureConnected();
      const now = Date.now();
      if (globalPauseUntil > now) {
        await wakeups.sleep(globalPauseUntil - now);
        continue;
      }
      if (!lanes.hasReady(now)) {
        const due = lanes.nextDue();
        if (connection.stopping && lanes.size === 0) return;
        await wakeups.sleep(due === undefined ? 1000 : Math.max(1, due - now));
        continue;
      }
      // Whatever is ready goes now: the relay already groups the PUTs of a few ms into one job
      // from 200 PUT/s on, and holding a partial batch 2 ms for more only added 2–3 ms to every
      // event's p50 at 500 PUT/s, for no CPU saved (docs/benchmarks.md).
      await writeBatch(lanes.take(batchSize, now));
    }
  };

  // One timeout for every sink: a target that stops answering mid-write (a silent broker, a hung
  // socket) is reconnected like a dropped one, and no sink keeps a timer of its own.
  const writeTimeoutMs = options.writeTimeoutMs ?? 30_000;
  const write = async (jobs: TargetJob[]): Promise<WriteOutcome> => {
    try {
      const failures = await withTimeout(
        sink.write(jobs),
        writeTimeoutMs,
        () =>
          new TargetError('reconnect', `the target did not answer a write within ${writeTimeoutMs / 1000} s`),
      );
      return { ok: true, failures };
    } catch (error) {
      const classification = error instanceof TargetError ? error.classification : sink.classify(error);
      return { ok: false, error, classification };
    }
  };

  const writeBatch = async (batch: LaneItem<Held>[]) => {
    if (batch.length === 0) return;
    const outcome = await write(batch.map((item) => item.value.job));
    const decision = decideAfterWrite(batch.length, outcome);
    switch (decision.kind) {
      case 'dead-letter-it':
        if (!outcome.ok) await settleDead(batch[0] as LaneItem<Held>, outcome.error);
        return;
      case 'write-each-alone':
        for (const item of batch) {
          item.solo = true;
          lanes.retry(item, 0, Date.now());
          item.attempts -= 1;
        }
        return;
      case 'target-unwell': {
        const error = outcome.ok ? undefined : outcome.error;
        const delay = connection.failed(error, { reconnect: decision.reconnect });
        globalPauseUntil = Date.now() + delay; // the target is unwell: no spinning on any key
        if (connection.shouldLogFailure()) {
          log.warn(
            {
              err: describeError(error),
              classification: decision.classification,
              retryInMs: delay,
              batch: batch.length,
            },
            'write failed; retrying',
          );
        }
        for (const item of batch) scheduleRetry(item, decision.classification);
        return;
      }
      case 'answered': {
        connection.answered({ wrote: true });
        for (const index of decision.delivered) settleDelivered(batch[index] as LaneItem<Held>);
        for (const { index, error } of decision.deadLettered)
          await settleDead(batch[index] as LaneItem<Held>, error);
        for (const { index, error } of decision.retried) {
          telemetry.noteError(error);
          scheduleRetry(batch[index] as LaneItem<Held>, error.classification);
        }
      }
    }
  };

  const queueLimit = options.queueLimit || 100_000;
  let overLimit = false;
  const limitCheck = setInterval(async () => {
    const waiting = await waitingEvents().catch(() => undefined);
    if (waiting === undefined) return;
    const over = waiting > queueLimit;
    if (over && !overLimit)
      log.warn({ waiting, limit: queueLimit }, 'target backlog over its limit; events are kept');
    if (!over && overLimit) log.info({ waiting, limit: queueLimit }, 'target backlog back under its limit');
    overLimit = over;
    metrics.overLimit.set(over ? 1 : 0);
  }, 5000);
  limitCheck.unref();

  const lockMs = options.lockMs ?? 10_000;
  // All processes of the target share its partitions by lease; this one takes only from those it
  // owns, each taken over only once its previous owner released it or what a crashed owner held
  // went back in order (packages/queue, PartitionedConsumer).
  const instance = `${hostname()}:${process.pid}:${target.queue}`;
  const consumer = new PartitionedConsumer({
    // Unique even where a restarted container has the same host name and pid as its predecessor.
    member: `${instance}:${randomUUID().slice(0, 8)}`,
    baseQueue: target.queue,
    keys: partitionKeys(prefix, target.queue),
    configuredPartitions,
    prefix,
    redisUrl: options.redisUrl,
    maxHeld: options.maxInFlight ?? 2000,
    // A take is sized by the room left in events; with partitions, jobs carry fewer events each (a
    // relay batch is split 16 ways), so a cap of 100 jobs per take starved the writers.
    takeMax: 1000,
    lockMs,
    leaseMs: options.leaseMs ?? Math.max(2000, Math.floor(lockMs / 2)),
    onJob,
    onOwnershipChange: (owned) => log.info({ partitions: owned.length }, 'partitions owned'),
    onError: (error) => log.warn({ err: describeError(error) }, 'queue consumer error'),
  });
  consumer.start();
  // Several writers, each writing its own batch; lanes never give one key to two batches, so a
  // slow write holds up only the keys in its batch, not the whole target.
  const loop = Promise.all(
    Array.from({ length: options.concurrentBatches ?? 4 }, () =>
      writeLoop().catch((error) => log.fatal({ err: describeError(error) }, 'write loop crashed')),
    ),
  );

  connection.startProbing();

  const ops =
    options.httpPort === undefined
      ? undefined
      : await startOpsServer({
          port: options.httpPort,
          registry: metrics.registry,
          log,
          readiness: () => ({ ready: ready(), detail: ready() ? 'online' : 'offline' }),
        });

  const heartbeat = startHeartbeat(statusRedis, prefix, (): TargetHeartbeat => {
    const oldest = lanes.oldestEnqueuedAt();
    const beat: TargetHeartbeat = {
      arn: target.arn,
      instance,
      online: ready(),
      ...telemetry.tally,
      held: lanes.size,
      partitions: consumer.owned,
      member: consumer.member,
      oldestHeldSeconds: oldest === undefined ? 0 : (Date.now() - oldest) / 1000,
      ...telemetry.takeLatencyWindow(),
      updatedAt: new Date().toISOString(),
    };
    return beat;
  });

  return {
    metrics,
    httpPort: ops?.port,
    ready,
    async close() {
      // Stop taking jobs, give held events a chance to be delivered, then put the rest back at the
      // head of their partitions (in order) and leave the group: the next owner delivers them (at
      // least once) without waiting for their locks to lapse.
      clearInterval(limitCheck);
      connection.stopProbing();
      await heartbeat.stop();
      statusRedis.disconnect();
      await consumer.stop();
      const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
      while (lanes.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      if (lanes.size > 0)
        log.warn({ held: lanes.size }, 'drain timed out; putting held events back for the next owner');
      connection.stopping = true;
      abandoned = true;
      wakeups.signal();
      // Held events go back to the head of their partitions only once no write of them is in flight.
      const writersDone = await Promise.race([
        loop.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
      ]);
      await consumer.close({ putBack: writersDone });
      await sink.close().catch(() => {});
      await deadLetters.close();
      await ops?.close();
      metrics.remove();
    },
  };
}
