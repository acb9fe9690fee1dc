// What a target kind's own folder declares about its options (its
// `src/options.ts`): the schema of its config.json block, with the keys of the
// seed's blocks and the later MinIO options, built on the common block below;
// which fields are secret; its environment prefix; and what an enabled target
// must have. Each option's .describe() text is its documentation: the README's
// key tables are generated from it (`pnpm docs:targets`). Unknown keys are
// errors. Required keys are enforced only for enabled targets.
import { DEFAULT_TARGET_PARTITIONS, MAX_TARGET_PARTITIONS, type TargetKind } from '@bucket-events/contracts';
import { z } from 'zod';

/**
 * How a secret field is hidden wherever options are shown (logs, errors, API answers): `mask`
 * replaces the whole value, `url` only the password inside a URL or libpq string. Fields are
 * marked here, beside their schema, so redaction (redact.ts) finds every secret of every kind,
 * including a new kind's, by its schema rather than by a list of names.
 */
export type SecretKind = 'mask' | 'url';
export const secretFields = z.registry<{ secret: SecretKind }>();

/** Marks `schema` (the field as it sits in its object's shape) as a secret. */
export function secret<T extends z.ZodType>(schema: T, kind: SecretKind = 'mask'): T {
  secretFields.add(schema, { secret: kind });
  return schema;
}

/** A field's object shape under its defaults, prefaults and optionals; undefined if it is no object. */
export function objectShapeOf(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  let current = schema;
  while (current) {
    const def = (
      current as unknown as {
        _zod: { def: { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> } };
      }
    )._zod.def;
    if (def.type === 'object') return def.shape;
    current = def.innerType;
  }
  return undefined;
}

/** The keys every target block has, whatever its kind. */
export const commonTargetOptions = {
  enable: z
    .boolean()
    .default(false)
    .describe('Whether the target exists at all; a disabled target has no ARN. Default false.'),
  queueDir: z
    .string()
    .default('')
    .describe("Accepted for compatibility with MinIO's store; events wait in Redis (BullMQ) instead."),
  queueLimit: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe('Most events kept waiting for this target before it is reported over its limit (0 = 100 000).'),
  partitions: z
    .number()
    .int()
    .min(1)
    .max(MAX_TARGET_PARTITIONS)
    .default(DEFAULT_TARGET_PARTITIONS)
    .describe(
      'Bucket Events extension: ordered partitions of its queue; up to this many processes share the target (see Scaling a target).',
    ),
  comment: z.string().optional().describe('Free text, ignored.'),
};

/** The common block as the loader gives it to every configured target. */
export type CommonTargetOptions = z.output<z.ZodObject<typeof commonTargetOptions>>;

/** The two shapes a target can keep: one entry per object (`namespace`) or one per event (`access`). */
export const eventFormat = z.enum(['namespace', 'access']);

/** A target kind's option schema: a strict object whose shape includes the common block. */
export type TargetOptionsSchema = z.ZodObject;

/** A problem of an enabled target's options: [field, message]. */
export type RequiredProblem = [field: string, message: string];

/**
 * A kind's options as its folder declares them. `O` is what the schema outputs; the loader only
 * relies on the common block, and the kind's app names `O` (OptionsOf) for its sink.
 */
export interface TargetOptionsDefinition<O = CommonTargetOptions> {
  schema: TargetOptionsSchema;
  /** The `<KIND>` of MinIO's `MINIO_NOTIFY_<KIND>_<KEY>[_<ID>]` variables. */
  envPrefix: string;
  /** Env keys that are not just a field's camelCase in SNAKE_CASE: key → path in the options. */
  envAliases?: Record<string, string[]>;
  /** What an enabled target lacks (checked after defaults). Method syntax: a registry holds any kind's. */
  required(options: O): RequiredProblem[];
}

/** The options a kind's definition gives a configured target. */
export type OptionsOf<D> = D extends TargetOptionsDefinition<infer O> ? O : never;

/** Declares a kind's options, its output type inferred from the schema. */
export function defineTargetOptions<S extends TargetOptionsSchema>(definition: {
  schema: S;
  envPrefix: string;
  envAliases?: Record<string, string[]>;
  required(options: z.output<S>): RequiredProblem[];
}): TargetOptionsDefinition<z.output<S>> {
  return definition;
}

/** The option definitions the loader knows, by kind; a kind left out is not validated (see load.ts). */
export type TargetOptionsRegistry = { readonly [K in TargetKind]?: TargetOptionsDefinition };

/** [field, message] when `options[field]` is empty: the usual rule for a required string. */
export function requireNonEmpty(options: Record<string, unknown>, ...fields: string[]): RequiredProblem[] {
  return fields
    .filter((field) => options[field] === '' || options[field] === undefined)
    .map((field) => [field, 'required when the target is enabled']);
}
