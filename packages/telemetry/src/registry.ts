// One Prometheus registry per process: Node.js's default process metrics, a
// build_info series naming the service, and every series of the process's own
// (the kit's per target, ingest's, the router's) registered on it once.
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The product's version as built (set by the build; "dev" when run from sources). */
export const BUILD_VERSION = process.env.BUCKET_EVENTS_VERSION ?? 'dev';

export function createProcessRegistry(service: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const buildInfo = new Gauge({
    name: 'bucket_events_build_info',
    help: 'Always 1; the labels say which service and build this process runs.',
    labelNames: ['service', 'version', 'node_version'],
    registers: [registry],
  });
  buildInfo.labels(service, BUILD_VERSION, process.version).set(1);
  return registry;
}
