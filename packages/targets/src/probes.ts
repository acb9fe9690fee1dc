// The registry's test half: every target kind's probe (apps/target-<kind>/src/probe.ts),
// through which the seed walkthrough, the outage and fault suites and the benchmark
// look at what a target received. Loaded lazily: a suite that runs one kind loads
// only that kind's clients. A new kind fails to compile here until its probe is named.
import { TARGET_KINDS, type TargetKind } from '@bucket-events/contracts';
import type { TargetProbeDefinition } from '@bucket-events/target-kit/probe';

/** Every kind's probe, or those of `kinds`, in the registry's order. */
export async function targetProbes(kinds?: readonly TargetKind[]): Promise<TargetProbeDefinition[]> {
  const wanted = TARGET_KINDS.filter((kind) => !kinds || kinds.includes(kind));
  return Promise.all(wanted.map((kind) => TARGET_PROBES[kind]()));
}

export const TARGET_PROBES: Record<TargetKind, () => Promise<TargetProbeDefinition>> = {
  amqp: async () => (await import('@bucket-events/target-amqp/probe')).probe,
  elasticsearch: async () => (await import('@bucket-events/target-elasticsearch/probe')).probe,
  kafka: async () => (await import('@bucket-events/target-kafka/probe')).probe,
  nats: async () => (await import('@bucket-events/target-nats/probe')).probe,
  postgresql: async () => (await import('@bucket-events/target-postgresql/probe')).probe,
  redis: async () => (await import('@bucket-events/target-redis/probe')).probe,
  webhook: async () => (await import('@bucket-events/target-webhook/probe')).probe,
  mqtt: async () => (await import('@bucket-events/target-mqtt/probe')).probe,
  mysql: async () => (await import('@bucket-events/target-mysql/probe')).probe,
};
