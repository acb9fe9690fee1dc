// Assembles ingest: storage, outbox relay and the S3 server. Used by main.ts
// and by tests, which start a real server on a free port.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BucketEventsConfig } from '@bucket-events/config';
import { createRedis } from '@bucket-events/queue';
import { TargetStatusReader } from '@bucket-events/target-kit';
import {
  createProcessRegistry,
  type OpsServer,
  type Readiness,
  startOpsServer,
} from '@bucket-events/telemetry';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { StatusHistory } from './console/history.ts';
import { readPipelineStatus } from './console/pipeline.ts';
import { startConsole } from './console/server.ts';
import type { IngestDeps } from './http/context.ts';
import { createS3Server } from './http/server.ts';
import { LiveHub } from './live/hub.ts';
import { NotificationRules } from './notification/rules-cache.ts';
import type { RedisDurability } from './outbox/durability.ts';
import { DEFAULT_ROUND_PACING, withTopLinger } from './outbox/pacing.ts';
import { OutboxRelay } from './outbox/relay.ts';
import { ObjectStore } from './storage/object-store.ts';
import { createIngestMetrics } from './telemetry/metrics.ts';
import { ingestReadiness } from './telemetry/readiness.ts';

export interface IngestOptions {
  config: BucketEventsConfig;
  dataDir: string;
  redisUrl: string;
  queuePrefix: string;
  host?: string;
  port: number;
  fsync?: boolean;
  /** Virtual-host style requests under this domain (MINIO_DOMAIN). */
  domain?: string;
  /** `eventSource` and deployment id of the records live listeners get (as the router's). */
  eventSource?: string;
  deploymentId?: string;
  /** Where the status page listens (MinIO's console port is 9001); undefined = no status page. */
  console?: { host: string; port: number };
  /** How long each relay round waits while the rate is high (outbox/pacing.ts); 0: never; default DEFAULT_ROUND_PACING's. */
  relayLingerMs?: number;
  /** Port of /metrics, /healthz and /readyz (0: any free port; undefined: none). */
  metricsPort?: number;
  /** Where ingest's series go; default: a registry of its own (the standalone process shares one). */
  registry?: Registry;
  /** When the relay may delete outbox rows (outbox/durability.ts); default: once Redis accepted them. */
  redisDurability?: RedisDurability;
  /** Ready only while the outbox's oldest mutation is younger than this (seconds). Default 30. */
  outboxStuckSeconds?: number;
  log: Logger;
}

export interface RunningIngest {
  server: Server;
  port: number;
  endpoint: string;
  store: ObjectStore;
  relay: OutboxRelay;
  /** The status page's port, when it runs. */
  consolePort: number | undefined;
  /** The /metrics port, when it runs. */
  metricsPort: number | undefined;
  /** Live listeners (ListenBucketNotification) registered here now. */
  liveListeners(): number;
  /** What /readyz answers: Redis reachable and the outbox not stuck. */
  readiness(): Promise<Readiness>;
  close(): Promise<void>;
}

export async function startIngest(options: IngestOptions): Promise<RunningIngest> {
  // The store wakes the relay after each commit; the relay reads the store's outbox (made below).
  let relay: OutboxRelay | undefined;
  const store = new ObjectStore(
    options.dataDir,
    { fsync: options.fsync ?? true, onCommit: () => relay?.notify() },
    options.log,
  );
  await store.collectGarbage();
  const registry = options.registry ?? createProcessRegistry('ingest');
  const oldestOutboxAgeSeconds = () => {
    const oldest = store.outbox.oldestOutboxCommit();
    return oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000);
  };
  const metrics = createIngestMetrics(registry, {
    rows: () => store.outbox.outboxSize(),
    oldestAgeSeconds: oldestOutboxAgeSeconds,
  });
  relay = new OutboxRelay(
    store.outbox,
    {
      redisUrl: options.redisUrl,
      prefix: options.queuePrefix,
      pacing:
        options.relayLingerMs === undefined
          ? undefined
          : withTopLinger(DEFAULT_ROUND_PACING, options.relayLingerMs),
      observer: metrics.relay,
      durability: options.redisDurability,
    },
    options.log,
  );
  relay.start();
  const live = new LiveHub(
    {
      redisUrl: options.redisUrl,
      prefix: options.queuePrefix,
      enrich: {
        eventSource: options.eventSource ?? 'aws:s3',
        deploymentId: options.deploymentId ?? 'bucket-events',
      },
    },
    options.log,
  );
  const statusRedis = createRedis(options.redisUrl, { maxRetriesPerRequest: 1 });
  statusRedis.on('error', () => {});
  const readiness = ingestReadiness({
    redis: statusRedis,
    oldestOutboxAgeSeconds,
    stuckAfterSeconds: options.outboxStuckSeconds ?? 30,
  });
  const status = new TargetStatusReader(statusRedis, {
    prefix: options.queuePrefix,
    redisUrl: options.redisUrl,
  });
  const deps: IngestDeps = {
    config: options.config,
    store,
    rules: new NotificationRules(store.notifications),
    live,
    admin: { status, redisUrl: options.redisUrl, queuePrefix: options.queuePrefix },
    log: options.log,
    targets: new Set(options.config.targets.map((t) => `${t.id}:${t.kind}`)),
    limits: { maxSinglePutBytes: 5 * 1024 ** 3, maxXmlBodyBytes: 1024 * 1024 },
    domain: options.domain?.toLowerCase(),
    metrics,
    readiness,
  };
  const history = new StatusHistory(status, options.config.targets);
  let consoleServer: Awaited<ReturnType<typeof startConsole>> | undefined;
  if (options.console) {
    history.start();
    // The status page is a convenience: if its port is taken, S3 still serves.
    consoleServer = await startConsole({
      history,
      pipeline: () =>
        readPipelineStatus({
          redis: statusRedis,
          prefix: options.queuePrefix,
          readiness,
          outboxRows: () => store.outbox.outboxSize(),
          oldestOutboxSeconds: oldestOutboxAgeSeconds,
        }),
      targets: options.config.targets,
      redisUrl: options.redisUrl,
      queuePrefix: options.queuePrefix,
      ...options.console,
    }).catch((error: Error) => {
      options.log.error({ err: error.message, ...options.console }, 'status page not started');
      return undefined;
    });
  }
  const ops: OpsServer | undefined =
    options.metricsPort === undefined
      ? undefined
      : await startOpsServer({ port: options.metricsPort, registry, log: options.log, readiness });
  const server = createS3Server(deps);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    server,
    port,
    endpoint: `http://${host}:${port}`,
    store,
    relay,
    liveListeners: () => live.size,
    readiness,
    consolePort: consoleServer?.port,
    metricsPort: ops?.port,
    async close() {
      history.stop();
      await ops?.close();
      if (consoleServer) {
        consoleServer.server.closeAllConnections();
        await new Promise<void>((resolve) => consoleServer?.server.close(() => resolve()));
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await live.close();
      await status.close();
      statusRedis.disconnect();
      await relay.stop();
      await store.close();
    },
  };
}
