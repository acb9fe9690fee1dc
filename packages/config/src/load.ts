// Loads the server configuration: the config file (MinIO's config.json, target
// blocks at the top level or under "notify"), MINIO_* environment overrides and
// built-in defaults. Every problem is collected and reported at once.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_REGION,
  TARGET_KINDS,
  type TargetKind,
  targetArn,
  targetQueueName,
} from '@bucket-events/contracts';
import { coerceEnvValue, readEnvOverrides } from './env-overrides.ts';
import type {
  CommonTargetOptions,
  TargetOptionsDefinition,
  TargetOptionsRegistry,
} from './target-options.ts';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`invalid configuration (${source}):\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * An enabled target. Its options are what its kind's schema gave (`O`, named by the code that
 * knows the kind: its target app); elsewhere only the common block is known.
 */
export interface ConfiguredTarget<O extends CommonTargetOptions = CommonTargetOptions> {
  kind: TargetKind;
  id: string;
  arn: string;
  queue: string;
  options: O;
}

export interface Credential {
  accessKey: string;
  secretKey: string;
}

export interface BucketEventsConfig {
  /** Where the configuration came from: a file path, or `built-in defaults`. */
  source: string;
  region: string;
  /** Root credential first. */
  credentials: Credential[];
  /** Enabled targets only, in kind order then id order. */
  targets: ConfiguredTarget[];
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit config file (e.g. from a `--config` flag); must exist. */
  path?: string;
  /** Home folder for the default `~/.minio/config.json`. */
  homeDir?: string;
}

export const DEFAULT_ROOT_USER = 'minioadmin';
export const DEFAULT_ROOT_PASSWORD = 'minioadmin';
export const DEFAULT_REDIS_KEY = 'bucketevents';

const TOP_LEVEL_KEYS = new Set([
  'version',
  'region',
  'credential',
  'notify',
  'browser',
  'domain',
  'logger',
  'worm',
  'storageclass',
  'cache',
  'kms',
  'compress',
  ...TARGET_KINDS,
]);

/** The path the config is read from: explicit path, BUCKET_EVENTS_CONFIG, MINIO_CONFIG_FILE, or ~/.minio/config.json. */
export function configPath(options: LoadConfigOptions = {}): { path: string; explicit: boolean } {
  const env = options.env ?? process.env;
  const explicit = options.path ?? env.BUCKET_EVENTS_CONFIG ?? env.MINIO_CONFIG_FILE;
  if (explicit) return { path: explicit, explicit: true };
  return { path: join(options.homeDir ?? homedir(), '.minio', 'config.json'), explicit: false };
}

/** Loads and validates the configuration with the target kinds of `registry` (see buildConfig). */
export function loadConfig(
  registry: TargetOptionsRegistry,
  options: LoadConfigOptions = {},
): BucketEventsConfig {
  const env = options.env ?? process.env;
  const { path, explicit } = configPath(options);
  let document: Record<string, unknown>;
  let source: string;
  if (existsSync(path)) {
    source = path;
    document = readDocument(path);
  } else if (explicit) {
    throw new ConfigError(path, [`config file not found: ${path}`]);
  } else {
    source = 'built-in defaults';
    document = defaultDocument(env);
  }
  return buildConfig(registry, document, env, source);
}

/**
 * Validates an already-parsed config document. Every kind of `registry` is validated and its
 * enabled targets returned; a kind the registry leaves out is neither (a target app passes only
 * its own kind: it neither needs nor may depend on the others' code), and then MINIO_NOTIFY_*
 * variables it cannot place are not reported either, since they may be another kind's.
 */
export function buildConfig(
  registry: TargetOptionsRegistry,
  document: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  source: string,
): BucketEventsConfig {
  const issues: string[] = [];
  for (const key of Object.keys(document)) if (!TOP_LEVEL_KEYS.has(key)) issues.push(`${key}: unknown key`);

  const notify = (document.notify ?? {}) as Record<string, unknown>;
  if (typeof notify !== 'object' || notify === null || Array.isArray(notify))
    issues.push('notify: expected an object');
  const blockPath = (kind: TargetKind) => (kind in document ? kind : `notify.${kind}`);

  const { overrides, unknown } = readEnvOverrides(env, registry);
  const complete = TARGET_KINDS.every((kind) => registry[kind] !== undefined);
  if (complete) for (const variable of unknown) issues.push(`${variable}: unknown environment variable`);

  const targets: ConfiguredTarget[] = [];
  const region = resolveRegion(document, env, issues);
  for (const kind of TARGET_KINDS) {
    const definition = registry[kind];
    if (!definition) continue;
    const raw = (document[kind] ?? (notify as Record<string, unknown>)[kind] ?? {}) as Record<
      string,
      unknown
    >;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      issues.push(`${blockPath(kind)}: expected an object of targets by id`);
      continue;
    }
    const blocks = new Map<string, Record<string, unknown>>(
      Object.entries(raw).map(([id, block]) => [id, structuredClone(block) as Record<string, unknown>]),
    );
    for (const override of overrides.filter((o) => o.kind === kind)) {
      const block = blocks.get(override.id) ?? {};
      blocks.set(override.id, block);
      applyOverride(block, override.path, override.value, definition);
    }
    for (const [id, block] of blocks) {
      const path = `${blockPath(kind)}.${id}`;
      if (id === '' || id.includes(':'))
        issues.push(`${path}: target id must be non-empty and contain no ':'`);
      if (typeof block !== 'object' || block === null || Array.isArray(block)) {
        issues.push(`${path}: expected an object`);
        continue;
      }
      const parsed = definition.schema.safeParse(block);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          issues.push(`${[path, ...issue.path].join('.')}: ${describeIssue(issue)}`);
        // Still report what an enabled target lacks, so one run lists every problem.
        const lenient = definition.schema.strip().safeParse(block);
        if (lenient.success && (lenient.data as CommonTargetOptions).enable) {
          for (const [field, message] of definition.required(lenient.data as CommonTargetOptions))
            issues.push(`${path}.${field}: ${message}`);
        }
        continue;
      }
      // Every kind's schema spreads the common block (commonTargetOptions).
      const options = parsed.data as CommonTargetOptions;
      if (!options.enable) continue;
      for (const [field, message] of definition.required(options))
        issues.push(`${path}.${field}: ${message}`);
      const target = { kind, id };
      targets.push({
        kind,
        id,
        arn: targetArn(target, region),
        queue: targetQueueName(target),
        options,
      });
    }
  }
  const credentials = resolveCredentials(document, env, issues);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return { source, region, credentials, targets };
}

function readDocument(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(path, ['expected a JSON object at the top level']);
  }
  return parsed as Record<string, unknown>;
}

/** Out of the box: one Redis target (id 1, list `bucketevents`, access format) on BullMQ's own Redis. */
export function defaultDocument(env: NodeJS.ProcessEnv): Record<string, unknown> {
  // The Redis target writes to one server at a fixed address (as MinIO's): queues on a Redis
  // Cluster or behind Sentinel get no default target.
  if (/^redis-(cluster|sentinel):\/\//.test(env.REDIS_URL ?? '')) return { version: '1', notify: {} };
  const redis = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  return {
    version: '1',
    notify: {
      redis: {
        '1': {
          enable: true,
          address: `${redis.hostname}:${redis.port || '6379'}`,
          password: decodeURIComponent(redis.password),
          key: DEFAULT_REDIS_KEY,
          format: 'access',
        },
      },
    },
  };
}

function resolveRegion(document: Record<string, unknown>, env: NodeJS.ProcessEnv, issues: string[]): string {
  const fromDocument = typeof document.region === 'string' ? document.region : undefined;
  const region = env.MINIO_REGION ?? env.MINIO_SITE_REGION ?? fromDocument ?? DEFAULT_REGION;
  if (!/^[a-zA-Z][a-zA-Z0-9-_]+$/.test(region)) {
    issues.push(`region: "${region}" is not a valid region name`);
    return DEFAULT_REGION;
  }
  return region;
}

function resolveCredentials(
  document: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  issues: string[],
): Credential[] {
  const user = env.MINIO_ROOT_USER ?? env.MINIO_ACCESS_KEY;
  const password = env.MINIO_ROOT_PASSWORD ?? env.MINIO_SECRET_KEY;
  if ((user === undefined) !== (password === undefined)) {
    issues.push('MINIO_ROOT_USER and MINIO_ROOT_PASSWORD must be set together');
  }
  if (user !== undefined && password !== undefined) {
    if (user.length < 3) issues.push('MINIO_ROOT_USER: must be at least 3 characters');
    if (password.length < 8 && password !== DEFAULT_ROOT_PASSWORD) {
      issues.push('MINIO_ROOT_PASSWORD: must be at least 8 characters');
    }
    return [{ accessKey: user, secretKey: password }];
  }
  const credential = document.credential as { accessKey?: unknown; secretKey?: unknown } | undefined;
  if (credential !== undefined) {
    if (typeof credential.accessKey !== 'string' || typeof credential.secretKey !== 'string') {
      issues.push('credential: expected {"accessKey": "...", "secretKey": "..."}');
    } else {
      return [{ accessKey: credential.accessKey, secretKey: credential.secretKey }];
    }
  }
  return [{ accessKey: DEFAULT_ROOT_USER, secretKey: DEFAULT_ROOT_PASSWORD }];
}

function applyOverride(
  block: Record<string, unknown>,
  path: string[],
  value: string,
  definition: TargetOptionsDefinition,
) {
  const defaults = definition.schema.parse({}) as Record<string, unknown>;
  let target = block;
  let like: unknown = defaults;
  for (const segment of path.slice(0, -1)) {
    like = (like as Record<string, unknown>)[segment];
    if (typeof target[segment] !== 'object' || target[segment] === null) target[segment] = {};
    target = target[segment] as Record<string, unknown>;
  }
  const field = path[path.length - 1] as string;
  target[field] = coerceEnvValue(value, (like as Record<string, unknown>)[field]);
}

function describeIssue(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys)
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}
