// Public surface of @bucket-events/targets: the configuration loader bound to
// every target kind's options, for the processes that need them all (ingest,
// router, CLI, standalone, tests). A target app loads only its own kind's
// (target-kit, app.ts).
import {
  type BucketEventsConfig,
  buildConfig as buildWith,
  type ConfiguredTarget,
  type LoadConfigOptions,
  loadConfig as loadWith,
  redactTarget as redactWith,
} from '@bucket-events/config';
import { TARGET_OPTIONS } from './registry.ts';

export { TARGET_OPTIONS } from './registry.ts';

/** The configuration (file, MINIO_* environment, defaults) with every kind validated. */
export function loadConfig(options: LoadConfigOptions = {}): BucketEventsConfig {
  return loadWith(TARGET_OPTIONS, options);
}

/** An already-parsed config document validated with every kind. */
export function buildConfig(
  document: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  source: string,
): BucketEventsConfig {
  return buildWith(TARGET_OPTIONS, document, env, source);
}

/** `target` as it may be shown, whatever its kind. */
export function redactTarget(target: ConfiguredTarget): Record<string, unknown> {
  return redactWith(target, TARGET_OPTIONS[target.kind]);
}
