// The router process: config and env parsed (refusing to start on any problem),
// then route until SIGTERM/SIGINT.
import { ConfigError, loadConfig } from '@bucket-events/config';
import { pino } from 'pino';
import { parseRouterEnv } from './env.ts';
import { startRouter } from './service.ts';

async function main() {
  const env = parseRouterEnv();
  const log = pino({ name: 'router', level: env.LOG_LEVEL });
  const argv = process.argv;
  const config = loadConfig({
    path: argv.includes('--config') ? argv[argv.indexOf('--config') + 1] : undefined,
  });
  const router = startRouter({
    config,
    redisUrl: env.REDIS_URL,
    prefix: env.BUCKET_EVENTS_QUEUE_PREFIX,
    eventSource: env.BUCKET_EVENTS_EVENT_SOURCE,
    deploymentId: env.BUCKET_EVENTS_DEPLOYMENT_ID,
    concurrency: env.ROUTER_CONCURRENCY,
    lockMs: env.ROUTER_LOCK_MS,
    log,
  });
  console.log(`SQS ARNs: ${config.targets.map((t) => t.arn).join(' ') || '<none>'}`);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
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
