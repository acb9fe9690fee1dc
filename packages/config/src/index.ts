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
export { MASK, redactTarget, redactUrl } from './redact.ts';
export { TARGET_SCHEMAS, type TargetOptions } from './target-schemas.ts';
