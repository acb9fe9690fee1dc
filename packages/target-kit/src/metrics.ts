// Prometheus metrics of one target process, every series labelled with the
// target's ARN: what came in, what was delivered, failed, retried or
// dead-lettered, how deep the backlog is, and how long delivery takes from the
// mutation's commit to the target's confirmation.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface TargetMetrics {
  registry: Registry;
  received: Counter;
  delivered: Counter;
  failed: Counter;
  deadLettered: Counter;
  retries: Counter;
  inFlight: Gauge;
  queueDepth: Gauge;
  oldestPendingAge: Gauge;
  up: Gauge;
  overLimit: Gauge;
  latency: Histogram;
}

export function createTargetMetrics(
  arn: string,
  collect: { queueDepth(): Promise<number>; oldestPendingSeconds(): number; inFlight(): number },
): TargetMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ target: arn });
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  return {
    registry,
    received: counter('bucket_events_received_total', 'Events taken from the target queue.'),
    delivered: counter('bucket_events_delivered_total', 'Events the target confirmed.'),
    failed: counter('bucket_events_failed_total', 'Failed delivery attempts (each retry counts).'),
    deadLettered: counter('bucket_events_dead_lettered_total', 'Events moved to the dead-letter queue.'),
    retries: counter('bucket_events_retries_total', 'Delivery attempts scheduled after a failure.'),
    inFlight: new Gauge({
      name: 'bucket_events_in_flight',
      help: 'Events held by this process, waiting in their lane or being written.',
      registers: [registry],
      collect() {
        this.set(collect.inFlight());
      },
    }),
    queueDepth: new Gauge({
      name: 'bucket_events_queue_depth',
      help: 'Events waiting in the target queue (not yet taken by any process).',
      registers: [registry],
      async collect() {
        this.set(await collect.queueDepth().catch(() => Number.NaN));
      },
    }),
    oldestPendingAge: new Gauge({
      name: 'bucket_events_oldest_pending_age_seconds',
      help: 'Age of the oldest event held by this process and not yet confirmed.',
      registers: [registry],
      collect() {
        this.set(collect.oldestPendingSeconds());
      },
    }),
    up: new Gauge({
      name: 'bucket_events_target_up',
      help: '1 when the last write reached the target.',
      registers: [registry],
    }),
    overLimit: new Gauge({
      name: 'bucket_events_queue_over_limit',
      help: '1 while the backlog exceeds the target queueLimit (events are kept, not dropped).',
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'bucket_events_delivery_latency_seconds',
      help: 'From the mutation commit (eventTime) to the target confirming the event.',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
}
