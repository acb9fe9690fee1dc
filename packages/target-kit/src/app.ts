// A target app: one runTarget() per enabled target of the app's kind. As its own
// process (runTargetApp: environment and config parsed, refusing to start on any
// problem; one /metrics, /healthz and /readyz for all its targets; SIGTERM drains
// and exits) or as a part of the standalone process (startTargetApp).
import {
  type BucketEventsConfig,
  type CommonTargetOptions,
  ConfigError,
  type ConfiguredTarget,
  loadConfig,
  parseEnv,
  redactTarget,
  type TargetOptionsDefinition,
} from '@bucket-events/config';
import type { TargetKind } from '@bucket-events/contracts';
import { deploymentPrefix } from '@bucket-events/queue';
import { createProcessRegistry, type Readiness, startOpsServer } from '@bucket-events/telemetry';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { targetEnvSchema } from './env.ts';
import { type RunningTarget, runTarget } from './run-target.ts';
import type { TargetSink } from './sink.ts';

/** A target kind's app: its options (its folder's options.ts) and how a configured target becomes a sink. */
export interface TargetAppDefinition<O extends CommonTargetOptions = CommonTargetOptions> {
  kind: TargetKind;
  options: TargetOptionsDefinition<O>;
  /** Method syntax: the standalone process holds any kind's app as the plain definition. */
  createSink(target: ConfiguredTarget<O>): TargetSink;
}

export type TargetAppEnv = z.infer<ReturnType<typeof targetEnvSchema>>;

export interface RunningTargetApp {
  /** The ARNs of the targets it runs. */
  arns: string[];
  /** Ready when every target is connected and not failing; with no target, nothing to wait for. */
  readiness(): Readiness;
  /** Drains every target (what is held is written or put back) and stops. */
  close(): Promise<void>;
}

/** Starts every enabled target of the definition's kind in this process, reporting to `registry`. */
export async function startTargetApp<O extends CommonTargetOptions>(
  definition: TargetAppDefinition<O>,
  {
    env,
    config,
    registry,
    log,
  }: { env: TargetAppEnv; config: BucketEventsConfig; registry: Registry; log: Logger },
): Promise<RunningTargetApp> {
  // The loader validated each of these with this kind's schema, so their options are its output.
  const targets = config.targets.filter((t) => t.kind === definition.kind) as ConfiguredTarget<O>[];
  if (targets.length === 0)
    log.warn(`no enabled ${definition.kind} target in the configuration; nothing to do`);
  const running: RunningTarget[] = [];
  for (const target of targets) {
    log.info({ target: redactTarget(target, definition.options) }, 'starting target');
    running.push(
      await runTarget({
        target: { ...target, partitions: target.options.partitions },
        sink: definition.createSink(target),
        redisUrl: env.REDIS_URL,
        prefix: deploymentPrefix(env.REDIS_URL, env.BUCKET_EVENTS_QUEUE_PREFIX),
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
  return {
    arns: targets.map((t) => t.arn),
    readiness: () => {
      const down = targets.filter((_, index) => !running[index]?.ready()).map((t) => t.arn);
      return down.length === 0
        ? { ready: true, detail: targets.length === 0 ? 'no target' : 'online' }
        : { ready: false, detail: `offline: ${down.join(' ')}` };
    },
    close: async () => {
      await Promise.all(running.map((r) => r.close()));
    },
  };
}

/** The target app as its own process. */
export async function runTargetApp<O extends CommonTargetOptions>(
  definition: TargetAppDefinition<O>,
): Promise<void> {
  let env: TargetAppEnv;
  let config: BucketEventsConfig;
  try {
    env = parseEnv(targetEnvSchema(definition.kind));
    const argv = process.argv;
    // Only this kind's blocks are validated: the app knows no other kind's options.
    config = loadConfig(
      { [definition.kind]: definition.options },
      { path: argv.includes('--config') ? argv[argv.indexOf('--config') + 1] : undefined },
    );
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const log = pino({ name: `target-${definition.kind}`, level: env.LOG_LEVEL });
  // One registry for the process: every target's series carry its ARN, kind and id as labels.
  const registry = createProcessRegistry(`target-${definition.kind}`);
  const app = await startTargetApp(definition, { env, config, registry, log });
  const port = env.BUCKET_EVENTS_METRICS_PORT;
  const ops =
    port === 0 ? undefined : await startOpsServer({ port, registry, log, readiness: () => app.readiness() });
  console.log(`SQS ARNs: ${app.arns.join(' ') || '<none>'}`);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'draining and shutting down');
    await ops?.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
