// The environment of the product's processes, declared once: the variables
// every process reads (this shared shape), and helpers each process uses to
// declare its own, parse them at start-up listing every problem at once, and
// render the README's tables from the same declarations.
import { DEFAULT_METRICS_PORTS, type ProcessName } from '@bucket-events/contracts';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Read by ingest, the router and every target app. */
export const sharedEnvShape = {
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .describe(
      'Redis for every queue (BullMQ), heartbeats and published rule versions; also the default Redis target. `redis-cluster://host:port[,host:port…]` puts them on a Redis Cluster (all under one hash tag: the queue prefix in braces), `redis-sentinel://host:port[,host:port…]/<master>` on the master the Sentinels name; neither has a default target.',
    ),
  BUCKET_EVENTS_QUEUE_PREFIX: z
    .string()
    .default('bull')
    .describe(
      'Key prefix of every queue in Redis; the same for all processes of one deployment. On a Redis Cluster a prefix without a `{hash tag}` is used in braces (`{bull}`).',
    ),
  BUCKET_EVENTS_CONFIG: z
    .string()
    .optional()
    .describe('The config.json to read (as `--config FILE`); default `~/.minio/config.json`.'),
  MINIO_CONFIG_FILE: z
    .string()
    .optional()
    .describe('Read when `BUCKET_EVENTS_CONFIG` is unset, as MinIO names it.'),
  MINIO_REGION: z
    .string()
    .optional()
    .describe(
      "Region in ARNs, the SigV4 scope and GetBucketLocation; default the config file's `region`, else `us-east-1`.",
    ),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info').describe('Log level (JSON lines on standard output).'),
  BUCKET_EVENTS_VERSION: z
    .string()
    .optional()
    .describe(
      'The version `bucket_events_build_info` reports (the image sets it from its build); default `dev`.',
    ),
} as const;

/** `BUCKET_EVENTS_METRICS_PORT` with the process's own default, so all of them run side by side. */
export function metricsPortEnv(process: ProcessName) {
  return z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(DEFAULT_METRICS_PORTS[process])
    .describe('Port of `/metrics`, `/healthz` and `/readyz`; `0` serves none.');
}

/** Parses the environment against `schema`; throws one error listing every bad variable. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid environment:\n${problems.join('\n')}`);
}

interface JsonField {
  default?: unknown;
  description?: string;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** Markdown rows (variable, default, meaning) of a schema's variables, minus `except`. */
export function envRows(schema: z.ZodObject, except: readonly string[] = []): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, JsonField>;
  };
  return Object.entries(json.properties)
    .filter(([name]) => !except.includes(name))
    .map(([name, field]) => {
      const fallback = field.default === undefined ? '' : `\`${cell(String(field.default))}\``;
      return `| \`${name}\` | ${fallback} | ${cell(field.description ?? '')} |`;
    });
}

export const ENV_TABLE_HEADER = ['| variable | default | meaning |', '| --- | --- | --- |'];
