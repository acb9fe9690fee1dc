// A target app's whole process: environment and config parsed (refusing to
// start on any problem), one runTarget() per enabled target of the app's kind,
// one /metrics, /healthz and /readyz for all of them, SIGTERM drains and exits.
import {
  ConfigError,
  type ConfiguredTarget,
  loadConfig,
  parseEnv,
  redactTarget,
} from '@bucket-events/config';
import type { TargetKind } from '@bucket-events/contracts';
import { createProcessRegistry, startOpsServer } from '@bucket-events/telemetry';
import { pino } from 'pino';
import type { z } from 'zod';
import { targetEnvSchema } from './env.ts';
import { type RunningTarget, runTarget } from './run-target.ts';
import type { TargetSink } from './sink.ts';

export interface TargetAppDefinition<K extends TargetKind> {
  kind: K;
  createSink(target: Extract<ConfiguredTarget, { kind: K }>): TargetSink;
}

export async function runTargetApp<K extends TargetKind>(definition: TargetAppDefinition<K>): Promise<void> {
  let env: z.infer<ReturnType<typeof targetEnvSchema>>;
  let targets: Extract<ConfiguredTarget, { kind: K }>[];
  try {
    env = parseEnv(targetEnvSchema(definition.kind));
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
  // One registry for the process: every target's series carry its ARN, kind and id as labels.
  const registry = createProcessRegistry(`target-${definition.kind}`);
  const running: RunningTarget[] = [];
  for (const target of targets) {
    log.info({ target: redactTarget(target) }, 'starting target');
    running.push(
      await runTarget({
        target: { ...target, partitions: target.options.partitions },
        sink: definition.createSink(target),
        redisUrl: env.REDIS_URL,
        prefix: env.BUCKET_EVENTS_QUEUE_PREFIX,
        log: log.child({ target: target.arn }),
        maxInFlight: env.TARGET_MAX_IN_FLIGHT,
        batchSize: env.TARGET_BATCH_SIZE,
        retryMaxMs: env.TARGET_RETRY_MAX_MS,
        lockMs: env.TARGET_LOCK_MS,
        writeTimeoutMs: env.TARGET_WRITE_TIMEOUT_MS,
        queueLimit: target.options.queueLimit,
        registry,
      }),
    );
  }
  const port = env.BUCKET_EVENTS_METRICS_PORT;
  // Ready when every target is connected and not failing; an app with no target has nothing to wait for.
  const ops =
    port === 0
      ? undefined
      : await startOpsServer({
          port,
          registry,
          log,
          readiness: () => {
            const down = targets.filter((_, index) => !running[index]?.ready()).map((t) => t.arn);
            return down.length === 0
              ? { ready: true, detail: targets.length === 0 ? 'no target' : 'online' }
              : { ready: false, detail: `offline: ${down.join(' ')}` };
          },
        });
  console.log(`SQS ARNs: ${targets.map((t) => t.arn).join(' ') || '<none>'}`);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'draining and shutting down');
    await ops?.close();
    await Promise.all(running.map((r) => r.close()));
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
