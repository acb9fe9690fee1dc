// Public surface of @bucket-events/testing: fixtures and helpers for tests that
// talk to the real local services started by infra/local. What needs no running
// vitest (endpoints, connectors, names, ports) is also `@bucket-events/testing/services`.
export { isCi, requireService, type ServiceName, ServiceUnavailableError } from './availability.ts';
export { redactUrl } from './connect.ts';
export { parseEnvFile, SERVICES_ENV_FILE } from './endpoints.ts';
export {
  type AmqpNamespace,
  type KafkaNamespace,
  type NatsNamespace,
  type PostgresNamespace,
  type RedisNamespace,
  type SearchNamespace,
  test,
} from './fixtures.ts';
export * from './services.ts';
