// Prometheus metrics of the targets one process serves. The series are
// registered once per registry (one registry per process, however many targets
// of its kind it runs) and every sample is labelled with the target's ARN, kind
// and id: what came in, what was delivered, failed, retried or dead-lettered,
// how deep the backlog is, whether the target is ready, and how long delivery
// takes from the mutation's commit to the target's confirmation.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export const TARGET_LABELS = ['target', 'kind', 'id'] as const;
type Label = (typeof TARGET_LABELS)[number];
export type TargetLabels = Record<Label, string>;

/** What the kit reads at scrape time rather than counting as it goes. */
export interface TargetCollectors {
  /** Events waiting in the target queue (all its partitions). */
  queueDepth(): Promise<number>;
  /** Events waiting in each partition this process owns, by partition queue. */
  partitionDepths(): Promise<Map<string, number>>;
  /** Partitions this process owns and takes from. */
  partitionsOwned(): number;
  oldestPendingSeconds(): number;
  inFlight(): number;
  /** The one readiness rule (connected and not failing): what target_up, /readyz and the status page show. */
  ready(): boolean;
}

interface CounterChild {
  inc(value?: number): void;
}

/** One target's view of its process's series. */
export interface TargetMetrics {
  registry: Registry;
  received: CounterChild;
  delivered: CounterChild;
  failed: CounterChild;
  deadLettered: CounterChild;
  retries: CounterChild;
  overLimit: { set(value: number): void };
  latency: { observe(seconds: number): void };
  /** Stops reporting this target (its series go with it). */
  remove(): void;
}

class TargetMetricSet {
  private readonly targets = new Map<string, { labels: TargetLabels; collectors: TargetCollectors }>();
  readonly received: Counter<Label>;
  readonly delivered: Counter<Label>;
  readonly failed: Counter<Label>;
  readonly deadLettered: Counter<Label>;
  readonly retries: Counter<Label>;
  readonly overLimit: Gauge<Label>;
  readonly latency: Histogram<Label>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    const labelNames = TARGET_LABELS;
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers });
    const targets = this.targets;
    /** A gauge read from every target's collectors at scrape time. */
    const sampled = (name: string, help: string, read: (c: TargetCollectors) => number | Promise<number>) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          this.reset();
          for (const { labels, collectors } of targets.values())
            this.labels(labels).set(await read(collectors));
        },
      });
    this.received = counter('bucket_events_received_total', 'Events taken from the target queue.');
    this.delivered = counter('bucket_events_delivered_total', 'Events the target confirmed.');
    this.failed = counter('bucket_events_failed_total', 'Failed delivery attempts (each retry counts).');
    this.deadLettered = counter(
      'bucket_events_dead_lettered_total',
      'Events moved to the dead-letter queue.',
    );
    this.retries = counter('bucket_events_retries_total', 'Delivery attempts scheduled after a failure.');
    sampled(
      'bucket_events_in_flight',
      'Events held by this process, waiting in their lane or being written.',
      (c) => c.inFlight(),
    );
    sampled(
      'bucket_events_queue_depth',
      'Events waiting in the target queue (not yet taken by any process).',
      (c) => c.queueDepth().catch(() => Number.NaN),
    );
    sampled(
      'bucket_events_oldest_pending_age_seconds',
      'Age of the oldest event held by this process and not yet confirmed.',
      (c) => c.oldestPendingSeconds(),
    );
    sampled(
      'bucket_events_target_up',
      '1 while the target is connected and not failing, whether or not it has written yet.',
      (c) => (c.ready() ? 1 : 0),
    );
    sampled(
      'bucket_events_target_partitions_owned',
      'Partitions of the target queue this process owns (takes from); every partition has one owner.',
      (c) => c.partitionsOwned(),
    );
    new Gauge({
      name: 'bucket_events_partition_queue_depth',
      help: 'Events waiting in one partition of the target queue, reported by the process that owns it.',
      labelNames: [...labelNames, 'partition'],
      registers,
      async collect() {
        this.reset();
        for (const { labels, collectors } of targets.values()) {
          const depths = await collectors.partitionDepths().catch(() => new Map<string, number>());
          for (const [partition, depth] of depths) this.labels({ ...labels, partition }).set(depth);
        }
      },
    });
    this.overLimit = new Gauge({
      name: 'bucket_events_queue_over_limit',
      help: '1 while the backlog exceeds the target queueLimit (events are kept, not dropped).',
      labelNames,
      registers,
    });
    this.latency = new Histogram({
      name: 'bucket_events_delivery_latency_seconds',
      help: 'From the mutation commit (eventTime) to the target confirming the event.',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      labelNames,
      registers,
    });
  }

  add(labels: TargetLabels, collectors: TargetCollectors): TargetMetrics {
    if (this.targets.has(labels.target)) throw new Error(`target ${labels.target} is already measured here`);
    this.targets.set(labels.target, { labels, collectors });
    const counters = [this.received, this.delivered, this.failed, this.deadLettered, this.retries];
    // Every counter shows 0 from the start, so a rate over a fresh process is 0, not absent.
    for (const counter of counters) counter.labels(labels).inc(0);
    this.overLimit.labels(labels).set(0);
    return {
      registry: this.registry,
      received: this.received.labels(labels),
      delivered: this.delivered.labels(labels),
      failed: this.failed.labels(labels),
      deadLettered: this.deadLettered.labels(labels),
      retries: this.retries.labels(labels),
      overLimit: this.overLimit.labels(labels),
      latency: this.latency.labels(labels),
      remove: () => {
        this.targets.delete(labels.target);
        for (const metric of [...counters, this.overLimit, this.latency]) metric.remove(labels);
      },
    };
  }
}

const sets = new WeakMap<Registry, TargetMetricSet>();

/** Registers the target's series on `registry` (created once per registry) and returns its view. */
export function createTargetMetrics(
  registry: Registry,
  labels: TargetLabels,
  collectors: TargetCollectors,
): TargetMetrics {
  let set = sets.get(registry);
  if (!set) {
    set = new TargetMetricSet(registry);
    sets.set(registry, set);
  }
  return set.add(labels, collectors);
}
