export { BUILD_VERSION, createProcessRegistry } from './registry.ts';
export { type OpsServer, type OpsServerOptions, type Readiness, startOpsServer } from './ops-server.ts';
