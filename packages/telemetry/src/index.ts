export {
  type Beat,
  HEARTBEAT_INTERVAL_MS,
  readLiveHeartbeats,
  startHeartbeatLoop,
} from './heartbeat.ts';
export { type OpsServer, type OpsServerOptions, type Readiness, startOpsServer } from './ops-server.ts';
export { BUILD_VERSION, createProcessRegistry } from './registry.ts';
export { redisAnswers, withTimeout } from './timeouts.ts';
