// Public surface of @bucket-events/config.
export {
  type BucketEventsConfig,
  buildConfig,
  ConfigError,
  type ConfiguredTarget,
  type Credential,
  configPath,
  DEFAULT_REDIS_KEY,
  DEFAULT_ROOT_PASSWORD,
  DEFAULT_ROOT_USER,
  defaultDocument,
  type LoadConfigOptions,
  loadConfig,
} from './load.ts';
export {
  ENV_TABLE_HEADER,
  envRows,
  LOG_LEVELS,
  metricsPortEnv,
  parseEnv,
  sharedEnvShape,
} from './process-env.ts';
export { MASK, redactTarget, redactUrl } from './redact.ts';
export { targetKeyTable, unpadded, withTargetKeysSection } from './target-docs.ts';
export {
  type CommonTargetOptions,
  commonTargetOptions,
  defineTargetOptions,
  eventFormat,
  type OptionsOf,
  objectShapeOf,
  type RequiredProblem,
  requireNonEmpty,
  secret,
  secretFields,
  type TargetOptionsDefinition,
  type TargetOptionsRegistry,
  type TargetOptionsSchema,
} from './target-options.ts';
