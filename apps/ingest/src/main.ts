// The ingest process: parse env and config (refusing to start on any problem),
// print the ARNs, serve S3 until SIGTERM/SIGINT, then stop cleanly.
import { ConfigError } from '@bucket-events/config';
import { loadConfig } from '@bucket-events/targets';
import { pino } from 'pino';
import { announceServing } from './announce.ts';
import { startIngest } from './app.ts';
import { parseIngestEnv } from './env.ts';

const log = pino({ name: 'ingest', level: process.env.LOG_LEVEL ?? 'info' });

async function main() {
  const env = parseIngestEnv();
  const config = loadConfig({
    path: process.argv.includes('--config') ? process.argv[process.argv.indexOf('--config') + 1] : undefined,
  });
  const ingest = await startIngest({
    config,
    dataDir: env.dataDir,
    redisUrl: env.redisUrl,
    queuePrefix: env.queuePrefix,
    host: env.host,
    port: env.port,
    fsync: env.fsync,
    domain: env.domain,
    eventSource: env.eventSource,
    deploymentId: env.deploymentId,
    console: env.console,
    relayLingerMs: env.relayLingerMs,
    metricsPort: env.metricsPort,
    outboxStuckSeconds: env.outboxStuckSeconds,
    redisDurability: env.redisDurability,
    log,
  });
  log.info(
    {
      endpoint: ingest.endpoint,
      statusPage: ingest.consolePort ? `http://${env.console?.host}:${ingest.consolePort}/` : 'off',
      dataDir: env.dataDir,
      metrics: ingest.metricsPort ? `http://${env.host}:${ingest.metricsPort}/metrics` : 'off',
      config: config.source,
      region: config.region,
    },
    'S3 API listening',
  );
  announceServing(config, log);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await ingest.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
