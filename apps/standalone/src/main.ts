// The standalone process, for small deployments: ingest, the router and the app
// of every target kind the configuration enables, in one Node process. The parts
// are the separate services' own code, and they still hand work to each other
// through the same Redis queues (outbox → raw mutations → partitioned target
// queues), so every guarantee holds as it does across processes; scaling a
// target means running the separate services instead. One /metrics, /healthz
// and /readyz for all parts, on ingest's metrics port (9100).
import { ConfigError, parseEnv } from '@bucket-events/config';
import { announceServing, parseIngestEnv, startIngest } from '@bucket-events/ingest';
import { deploymentPrefix } from '@bucket-events/queue';
import { parseRouterEnv, startRouter } from '@bucket-events/router-app';
import { type RunningTargetApp, startTargetApp, targetEnvSchema } from '@bucket-events/target-kit';
import { loadConfig } from '@bucket-events/targets';
import { TARGET_APPS } from '@bucket-events/targets/apps';
import { createProcessRegistry, type Readiness, startOpsServer } from '@bucket-events/telemetry';
import { pino } from 'pino';
import { targetKindsToRun } from './parts.ts';

async function main() {
  const argv = process.argv;
  const config = loadConfig({
    path: argv.includes('--config') ? argv[argv.indexOf('--config') + 1] : undefined,
  });
  const ingestEnv = parseIngestEnv();
  const routerEnv = parseRouterEnv();
  const kinds = targetKindsToRun(config);
  const targetEnvs = kinds.map((kind) => ({ kind, env: parseEnv(targetEnvSchema(kind)) }));
  const logger = (name: string) => pino({ name, level: ingestEnv.logLevel });
  const log = logger('standalone');
  // One registry: each part's series are already told apart by their names and labels.
  const registry = createProcessRegistry('standalone');

  // Downstream first, so that nothing waits on a part not yet started.
  const targetApps: { kind: string; app: RunningTargetApp }[] = [];
  for (const { kind, env } of targetEnvs) {
    const definition = await TARGET_APPS[kind]();
    targetApps.push({
      kind,
      app: await startTargetApp(definition, {
        env,
        config,
        registry,
        log: logger(`target-${kind}`),
      }),
    });
  }
  const router = startRouter({
    registry,
    config,
    redisUrl: routerEnv.REDIS_URL,
    prefix: deploymentPrefix(routerEnv.REDIS_URL, routerEnv.BUCKET_EVENTS_QUEUE_PREFIX),
    eventSource: routerEnv.BUCKET_EVENTS_EVENT_SOURCE,
    deploymentId: routerEnv.BUCKET_EVENTS_DEPLOYMENT_ID,
    concurrency: routerEnv.ROUTER_CONCURRENCY,
    lockMs: routerEnv.ROUTER_LOCK_MS,
    log: logger('router'),
  });
  const ingest = await startIngest({
    config,
    dataDir: ingestEnv.dataDir,
    redisUrl: ingestEnv.redisUrl,
    queuePrefix: ingestEnv.queuePrefix,
    host: ingestEnv.host,
    port: ingestEnv.port,
    fsync: ingestEnv.fsync,
    domain: ingestEnv.domain,
    eventSource: ingestEnv.eventSource,
    deploymentId: ingestEnv.deploymentId,
    console: ingestEnv.console,
    relayLingerMs: ingestEnv.relayLingerMs,
    outboxStuckSeconds: ingestEnv.outboxStuckSeconds,
    redisDurability: ingestEnv.redisDurability,
    registry,
    log: logger('ingest'),
  });
  /** Ready when every part is: the detail names each part's state. */
  const readiness = async (): Promise<Readiness> => {
    const parts: [string, Readiness][] = [
      ['ingest', await ingest.readiness()],
      [
        'router',
        (await router.redisReachable())
          ? { ready: true, detail: router.leader() ? 'leading' : 'standby' }
          : { ready: false, detail: 'redis unreachable' },
      ],
      ...targetApps.map(({ kind, app }): [string, Readiness] => [`target-${kind}`, app.readiness()]),
    ];
    return {
      ready: parts.every(([, part]) => part.ready),
      detail: parts.map(([name, part]) => `${name}: ${part.detail}`).join('; '),
    };
  };
  const ops =
    ingestEnv.metricsPort === undefined
      ? undefined
      : await startOpsServer({ port: ingestEnv.metricsPort, registry, log, readiness });
  log.info(
    {
      endpoint: ingest.endpoint,
      targetKinds: kinds,
      statusPage: ingest.consolePort ? `http://${ingestEnv.console?.host}:${ingest.consolePort}/` : 'off',
      metrics: ops?.port ? `http://${ingestEnv.host}:${ops.port}/metrics` : 'off',
      config: config.source,
      region: config.region,
    },
    'standalone: S3 API, router and targets in one process',
  );
  announceServing(config, log);
  // Upstream first: no new upload, the outbox relayed, the router's batch done, then the targets drain.
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await ops?.close();
    await ingest.close();
    await router.close();
    await Promise.all(targetApps.map(({ app }) => app.close()));
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
