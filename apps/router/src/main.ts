// The router process: config and env parsed (refusing to start on any problem),
// then route until SIGTERM/SIGINT.
import { ConfigError } from '@bucket-events/config';
import { deploymentPrefix } from '@bucket-events/queue';
import { loadConfig } from '@bucket-events/targets';
import { createProcessRegistry, startOpsServer } from '@bucket-events/telemetry';
import { pino } from 'pino';
import { parseRouterEnv } from './env.ts';
import { startRouter } from './service.ts';

async function main() {
  // For scripts/supervise.mjs: which target kinds the configuration enables (their apps are the
  // ones worth starting), as one JSON line; the router itself does not start.
  if (process.argv.includes('--enabled-target-kinds')) {
    const { targets } = loadConfig({});
    console.log(JSON.stringify([...new Set(targets.map((target) => target.kind))]));
    process.exit(0);
  }
  const env = parseRouterEnv();
  const log = pino({ name: 'router', level: env.LOG_LEVEL });
  const argv = process.argv;
  const config = loadConfig({
    path: argv.includes('--config') ? argv[argv.indexOf('--config') + 1] : undefined,
  });
  const registry = createProcessRegistry('router');
  const router = startRouter({
    registry,
    config,
    redisUrl: env.REDIS_URL,
    prefix: deploymentPrefix(env.REDIS_URL, env.BUCKET_EVENTS_QUEUE_PREFIX),
    eventSource: env.BUCKET_EVENTS_EVENT_SOURCE,
    deploymentId: env.BUCKET_EVENTS_DEPLOYMENT_ID,
    concurrency: env.ROUTER_CONCURRENCY,
    lockMs: env.ROUTER_LOCK_MS,
    log,
  });
  // Ready while Redis answers, as leader or as standby: both are doing their job.
  const ops =
    env.BUCKET_EVENTS_METRICS_PORT === 0
      ? undefined
      : await startOpsServer({
          port: env.BUCKET_EVENTS_METRICS_PORT,
          registry,
          log,
          readiness: async () =>
            (await router.redisReachable())
              ? { ready: true, detail: router.leader() ? 'leading' : 'standby' }
              : { ready: false, detail: 'redis unreachable' },
        });
  console.log(`SQS ARNs: ${config.targets.map((t) => t.arn).join(' ') || '<none>'}`);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await ops?.close();
    await router.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await router.leading;
}

main().catch((error) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
