// A target app's whole process: environment and config parsed (refusing to
// start on any problem), one runTarget() per enabled target of the app's kind,
// one /metrics, /healthz and /readyz for all of them, SIGTERM drains and exits.
import { createServer } from 'node:http';
import { ConfigError, type ConfiguredTarget, loadConfig, redactTarget } from '@bucket-events/config';
import type { TargetKind } from '@bucket-events/contracts';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { type RunningTarget, runTarget } from './run-target.ts';
import type { TargetSink } from './sink.ts';

const envSchema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  BUCKET_EVENTS_QUEUE_PREFIX: z.string().default('bull'),
  /** Port of /metrics, /healthz and /readyz (0 = none). Each kind has its own default. */
  BUCKET_EVENTS_METRICS_PORT: z.coerce.number().int().min(0).optional(),
  TARGET_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(2000),
  /** Most events per write; larger batches form only when a backlog waits (at low rates a batch is what is ready). */
  TARGET_BATCH_SIZE: z.coerce.number().int().positive().default(500),
  /** Longest wait between two attempts (a retry or a reconnect), in milliseconds. */
  TARGET_RETRY_MAX_MS: z.coerce.number().int().positive().default(30_000),
  /** Job lock lifetime in ms: how soon events held by a crashed process are delivered by another. */
  TARGET_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Default metrics port per kind, so all six apps can run side by side. */
export const DEFAULT_METRICS_PORTS: Record<TargetKind, number> = {
  amqp: 9101,
  elasticsearch: 9102,
  redis: 9103,
  nats: 9104,
  postgresql: 9105,
  kafka: 9106,
};

export interface TargetAppDefinition<K extends TargetKind> {
  kind: K;
  createSink(target: Extract<ConfiguredTarget, { kind: K }>): TargetSink;
}

export async function runTargetApp<K extends TargetKind>(definition: TargetAppDefinition<K>): Promise<void> {
  let env: z.infer<typeof envSchema>;
  let targets: Extract<ConfiguredTarget, { kind: K }>[];
  try {
    env = envSchema.parse(process.env);
    const argv = process.argv;
    const config = loadConfig({
      path: argv.includes('--config') ? argv[argv.indexOf('--config') + 1] : undefined,
    });
    targets = config.targets.filter(
      (t): t is Extract<ConfiguredTarget, { kind: K }> => t.kind === definition.kind,
    );
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const log = pino({ name: `target-${definition.kind}`, level: env.LOG_LEVEL });
  if (targets.length === 0)
    log.warn(`no enabled ${definition.kind} target in the configuration; nothing to do`);
  const running: RunningTarget[] = [];
  for (const target of targets) {
    log.info({ target: redactTarget(target) }, 'starting target');
    running.push(
      await runTarget({
        target,
        sink: definition.createSink(target),
        redisUrl: env.REDIS_URL,
        prefix: env.BUCKET_EVENTS_QUEUE_PREFIX,
        log: log.child({ target: target.arn }),
        maxInFlight: env.TARGET_MAX_IN_FLIGHT,
        batchSize: env.TARGET_BATCH_SIZE,
        retryMaxMs: env.TARGET_RETRY_MAX_MS,
        lockMs: env.TARGET_LOCK_MS,
        queueLimit: target.options.queueLimit,
      }),
    );
  }
  const port = env.BUCKET_EVENTS_METRICS_PORT ?? DEFAULT_METRICS_PORTS[definition.kind];
  const server =
    port === 0
      ? undefined
      : createServer(async (req, res) => {
          if (req.url === '/metrics') {
            const merged = Registry.merge(running.map((r) => r.metrics.registry));
            res.writeHead(200, { 'content-type': merged.contentType }).end(await merged.metrics());
          } else if (req.url === '/healthz') {
            res.writeHead(200).end('ok');
          } else if (req.url === '/readyz') {
            const ready = running.every((r) => r.online());
            res.writeHead(ready ? 200 : 503).end(ready ? 'online' : 'offline');
          } else res.writeHead(404).end();
        });
  // Metrics are for watching delivery, never a reason to stop it: a taken port is logged, not fatal.
  server?.on('error', (error) => log.error({ err: error.message, port }, 'metrics server not started'));
  server?.listen(port);
  console.log(`SQS ARNs: ${targets.map((t) => t.arn).join(' ') || '<none>'}`);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'draining and shutting down');
    server?.close();
    await Promise.all(running.map((r) => r.close()));
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
