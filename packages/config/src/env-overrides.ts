// MinIO's modern environment variables for targets:
// MINIO_NOTIFY_<KIND>_<KEY> (target id `_`) and MINIO_NOTIFY_<KIND>_<KEY>_<ID>,
// applied over the config file key by key.
import { TARGET_KINDS, type TargetKind } from '@bucket-events/contracts';
import type { TargetOptionsDefinition, TargetOptionsRegistry } from './target-options.ts';

export function snakeCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** Every env key a kind understands, longest first (so `SASL_USERNAME` wins over `SASL`). */
export function envKeys(definition: TargetOptionsDefinition): [string, string[]][] {
  const fields = Object.keys(definition.schema.shape);
  const keys = new Map<string, string[]>(fields.map((field) => [snakeCase(field), [field]]));
  for (const [key, path] of Object.entries(definition.envAliases ?? {})) keys.set(key, path);
  return [...keys.entries()].sort((a, b) => b[0].length - a[0].length);
}

export interface EnvOverride {
  kind: TargetKind;
  id: string;
  path: string[];
  variable: string;
  value: string;
}

/** Reads every MINIO_NOTIFY_* variable of the registry's kinds; the others are returned as unknown. */
export function readEnvOverrides(
  env: NodeJS.ProcessEnv,
  registry: TargetOptionsRegistry,
): { overrides: EnvOverride[]; unknown: string[] } {
  const overrides: EnvOverride[] = [];
  const unknown: string[] = [];
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined || !variable.startsWith('MINIO_NOTIFY_')) continue;
    const kind = TARGET_KINDS.find((k) => {
      const prefix = registry[k]?.envPrefix;
      return prefix !== undefined && variable.startsWith(`MINIO_NOTIFY_${prefix}_`);
    });
    const definition = kind && registry[kind];
    if (!kind || !definition) {
      unknown.push(variable);
      continue;
    }
    const rest = variable.slice(`MINIO_NOTIFY_${definition.envPrefix}_`.length);
    const match = envKeys(definition).find(([key]) => rest === key || rest.startsWith(`${key}_`));
    if (!match) {
      unknown.push(variable);
      continue;
    }
    const [key, path] = match;
    const id = rest === key ? '_' : rest.slice(key.length + 1);
    overrides.push({ kind, id, path, variable, value });
  }
  return { overrides, unknown };
}

/** Turns an env string into the type the field has by default. */
export function coerceEnvValue(value: string, like: unknown): unknown {
  if (typeof like === 'boolean') {
    const lower = value.toLowerCase();
    if (['on', 'true', '1', 't', 'yes', 'enabled'].includes(lower)) return true;
    if (['off', 'false', '0', 'f', 'no', 'disabled', ''].includes(lower)) return false;
    return value; // left for the schema to reject, with the variable's path
  }
  if (typeof like === 'number') return value.trim() === '' ? like : Number(value);
  if (Array.isArray(like))
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  return value;
}
