// The parts of @bucket-events/testing that do not need a running vitest:
// service endpoints, connectors, names and ports — for benchmarks and tools.
export {
  connectAmqp,
  connectKafka,
  connectNatsServer,
  connectPostgres,
  connectRedis,
  connectSearch,
} from './connect.ts';
export { loadServiceEndpoints, type ServiceEndpoints } from './endpoints.ts';
export { forgetPrefix } from './forget-prefix.ts';
export { createReadyTopic } from './kafka-topic.ts';
export { uniqueName } from './names.ts';
export { pollWhileWatched, type WatchedPoller } from './poll.ts';
export { freePort } from './ports.ts';
export { type PrivateRedis, privateRedis } from './private-redis.ts';
export { localServiceControl, type ServerControl } from './service-control.ts';
export { eventually, metricSample } from './wait.ts';
