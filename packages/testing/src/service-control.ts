// Stopping and starting a shared local service the way a developer does, through
// infra/local/svc: a target probe's stopServer/startServer for the outage and
// fault suites.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ServiceName } from './availability.ts';

const run = promisify(execFile);
const SVC = fileURLToPath(new URL('../../../infra/local/svc', import.meta.url));

export interface ServerControl {
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
}

export function localServiceControl(service: ServiceName): ServerControl {
  return {
    async stopServer() {
      await run('bash', [SVC, 'down', service]);
    },
    async startServer() {
      // A JVM service (Kafka, OpenSearch) can take minutes to be ready on a loaded machine.
      await run('bash', [SVC, 'up', service], { timeout: 300_000 });
    },
  };
}
