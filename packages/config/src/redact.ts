// Secrets never leave the process: a printable view of a target's options with
// passwords and tokens masked, including passwords embedded in URLs.
import type { ConfiguredTarget } from './load.ts';

const SECRET_KEYS = new Set(['password', 'token']);
const URL_KEYS = new Set(['url', 'connectionString']);
export const MASK = '********';

export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = MASK;
    return url.toString();
  } catch {
    // libpq key=value strings: mask password=...
    return value.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, `$1${MASK}`);
  }
}

function redactValue(key: string, value: unknown): unknown {
  if (SECRET_KEYS.has(key)) return value === '' ? '' : MASK;
  if (URL_KEYS.has(key) && typeof value === 'string') return redactUrl(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(k, v)]));
  }
  return value;
}

export function redactTarget(target: ConfiguredTarget): Record<string, unknown> {
  return {
    kind: target.kind,
    id: target.id,
    arn: target.arn,
    options: redactValue('options', target.options),
  };
}
