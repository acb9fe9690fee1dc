// Every target kind's app, loaded only when the configuration enables a target
// of its kind: a driver nobody needs is never loaded (nor its memory spent).
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
};
