// The router's Prometheus series: mutations routed, events fanned out per
// target, events dropped because a rule names an ARN not enabled here, mutations
// that matched no rule, the lag from commit to fan-out, whether this process
// leads, and the batches waiting in the `mutations` queue.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface RouterCollectors {
  leader(): boolean;
  /** Jobs (batches of mutation records) waiting in the `mutations` queue. */
  waitingBatches(): Promise<number>;
  /** Targets whose configured partition count waits for the old partitions to drain. */
  layoutChangesPending(): number;
}

export interface RouterMetrics {
  routed(mutations: number, ruleMisses: number): void;
  fannedOut(arn: string, events: number): void;
  unknownTarget(arn: string): void;
  retry(): void;
  lag(seconds: number): void;
}

export function createRouterMetrics(registry: Registry, collectors: RouterCollectors): RouterMetrics {
  const registers = [registry];
  const routed = new Counter({
    name: 'bucket_events_router_mutations_total',
    help: 'Mutation records routed (matched against their bucket rules and fanned out).',
    registers,
  });
  const misses = new Counter({
    name: 'bucket_events_router_rule_misses_total',
    help: 'Mutation records that matched no rule of their bucket (nothing to deliver).',
    registers,
  });
  const events = new Counter({
    name: 'bucket_events_router_events_total',
    help: 'Events added to a target queue, by target ARN.',
    labelNames: ['target'],
    registers,
  });
  const unknown = new Counter({
    name: 'bucket_events_router_unknown_target_total',
    help: 'Events not delivered because a rule names an ARN that is not enabled, by that ARN.',
    labelNames: ['target'],
    registers,
  });
  const retries = new Counter({
    name: 'bucket_events_router_retries_total',
    help: 'Fan-outs tried again after Redis refused them.',
    registers,
  });
  const lag = new Histogram({
    name: 'bucket_events_router_lag_seconds',
    help: 'From a mutation commit to its events added to every target queue.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
    registers,
  });
  new Gauge({
    name: 'bucket_events_router_partition_changes_pending',
    help: 'Targets whose new partition count waits until their old partitions are drained (leader only).',
    registers,
    collect() {
      this.set(collectors.layoutChangesPending());
    },
  });
  new Gauge({
    name: 'bucket_events_router_leader',
    help: '1 while this router holds the leader lock and routes; standbys report 0.',
    registers,
    collect() {
      this.set(collectors.leader() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'bucket_events_mutations_queue_batches',
    help: 'Batches of mutation records waiting in the mutations queue for the router.',
    registers,
    async collect() {
      this.set(await collectors.waitingBatches().catch(() => Number.NaN));
    },
  });
  return {
    routed(mutations, ruleMisses) {
      routed.inc(mutations);
      misses.inc(ruleMisses);
    },
    fannedOut: (arn, count) => events.labels(arn).inc(count),
    unknownTarget: (arn) => unknown.labels(arn).inc(),
    retry: () => retries.inc(),
    lag: (seconds) => lag.observe(seconds),
  };
}
