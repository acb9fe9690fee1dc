// Secrets never leave the process: a printable view of a target's options with
// the fields its kind's schema marks as secret (target-schemas.ts, `secret()`)
// masked, and passwords inside URLs masked.
import type { z } from 'zod';
import type { ConfiguredTarget } from './load.ts';
import { objectShapeOf, secretFields, type TargetOptionsDefinition } from './target-options.ts';

export const MASK = '********';

/** A Go MySQL driver DSN (`user:password@tcp(host:port)/db`): the password runs to the last `@`. */
const GO_DSN = /^([^:@/]*):(.*)@((?:tcp|unix)?\(|\/)/;

export function redactUrl(value: string): string {
  // Before URL parsing: a DSN parses as a URL whose scheme is the user name.
  if (GO_DSN.test(value)) return value.replace(GO_DSN, `$1:${MASK}@$3`);
  try {
    const url = new URL(value);
    if (url.password) url.password = MASK;
    return url.toString();
  } catch {
    // libpq key=value strings: mask password=...
    return value.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, `$1${MASK}`);
  }
}

function redactObject(
  value: Record<string, unknown>,
  shape: Record<string, z.ZodType>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => {
      const schema = shape[key];
      const secret = schema ? secretFields.get(schema)?.secret : undefined;
      if (secret === 'mask') return [key, field === '' ? '' : MASK];
      if (secret === 'url') return [key, typeof field === 'string' ? redactUrl(field) : MASK];
      const nested = objectShapeOf(schema);
      if (nested && field && typeof field === 'object' && !Array.isArray(field))
        return [key, redactObject(field as Record<string, unknown>, nested)];
      return [key, field];
    }),
  );
}

/** `target` as it may be shown, its secrets found by its kind's option `definition`. */
export function redactTarget(
  target: ConfiguredTarget,
  definition: Pick<TargetOptionsDefinition, 'schema'>,
): Record<string, unknown> {
  return {
    kind: target.kind,
    id: target.id,
    arn: target.arn,
    options: redactObject(target.options as Record<string, unknown>, definition.schema.shape),
  };
}
