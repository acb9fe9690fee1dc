// The registry's second half: every target kind's app (its driver), loaded only
// when the configuration enables a target of its kind, so a driver nobody needs
// is never loaded (nor its memory spent). Apart from registry.ts so that the
// processes that only read options (ingest, router) never bundle a driver.
// A new kind fails to compile here until its app is named.
import type { TargetKind } from '@bucket-events/contracts';
import type { TargetAppDefinition } from '@bucket-events/target-kit';

export const TARGET_APPS: Record<TargetKind, () => Promise<TargetAppDefinition>> = {
  amqp: async () => (await import('@bucket-events/target-amqp')).targetApp,
  elasticsearch: async () => (await import('@bucket-events/target-elasticsearch')).targetApp,
  kafka: async () => (await import('@bucket-events/target-kafka')).targetApp,
  nats: async () => (await import('@bucket-events/target-nats')).targetApp,
  postgresql: async () => (await import('@bucket-events/target-postgresql')).targetApp,
  redis: async () => (await import('@bucket-events/target-redis')).targetApp,
  webhook: async () => (await import('@bucket-events/target-webhook')).targetApp,
  mqtt: async () => (await import('@bucket-events/target-mqtt')).targetApp,
  mysql: async () => (await import('@bucket-events/target-mysql')).targetApp,
};
