// Public surface of @bucket-events/testing: fixtures and helpers for tests that
// talk to the real local services started by infra/local.
export { isCi, requireService, type ServiceName, ServiceUnavailableError } from './availability.ts';
export {
  connectAmqp,
  connectKafka,
  connectNatsServer,
  connectPostgres,
  connectRedis,
  connectSearch,
  redactUrl,
} from './connect.ts';
export { loadServiceEndpoints, parseEnvFile, SERVICES_ENV_FILE, type ServiceEndpoints } from './endpoints.ts';
export {
  type AmqpNamespace,
  type KafkaNamespace,
  type NatsNamespace,
  type PostgresNamespace,
  type RedisNamespace,
  type SearchNamespace,
  test,
} from './fixtures.ts';
export { uniqueName } from './names.ts';
export { freePort } from './ports.ts';
