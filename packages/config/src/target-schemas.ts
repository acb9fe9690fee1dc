// One schema per target kind, with the keys of the seed's config.json blocks
// and the later MinIO options. Each option's .describe() text is its
// documentation: the README's key tables are generated from it
// (`pnpm docs:targets`). Unknown keys are errors. Required keys are enforced
// only for enabled targets.
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
function secret<T extends z.ZodType>(schema: T, kind: SecretKind = 'mask'): T {
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

const common = {
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

const format = z.enum(['namespace', 'access']);

export const amqpSchema = z.strictObject({
  ...common,
  url: secret(
    z.string().default('').describe('AMQP URI, e.g. `amqp://user:password@localhost:5672`. Required.'),
    'url',
  ),
  exchange: z.string().default('').describe('Exchange to publish to (declared once per connection).'),
  routingKey: z.string().default('').describe('Routing key of every message.'),
  exchangeType: z
    .string()
    .default('fanout')
    .describe('Exchange type: `fanout`, `direct`, `topic`, `headers`.'),
  mandatory: z
    .boolean()
    .default(false)
    .describe('Publish with the mandatory flag (unroutable messages are returned, and counted as failures).'),
  immediate: z
    .boolean()
    .default(false)
    .describe('Accepted for compatibility; RabbitMQ 3+ does not implement `immediate`.'),
  durable: z.boolean().default(false).describe('Declare the exchange durable.'),
  internal: z.boolean().default(false).describe('Declare the exchange internal.'),
  noWait: z
    .boolean()
    .default(false)
    .describe("Accepted for compatibility; declarations always wait for the broker's answer."),
  autoDeleted: z.boolean().default(false).describe('Declare the exchange auto-deleted.'),
  deliveryMode: z
    .union([z.literal(0), z.literal(1), z.literal(2)])
    .default(2)
    .describe('1 = transient, 2 = persistent (default). 0 means the default.'),
  publisherConfirms: z
    .boolean()
    .default(true)
    .describe(
      'Accepted for compatibility; every publish is confirmed by the broker before it counts as delivered.',
    ),
});

export const elasticsearchSchema = z.strictObject({
  ...common,
  url: secret(
    z
      .string()
      .default('')
      .describe('Base URL, e.g. `http://127.0.0.1:9200` (may embed user:password). Required.'),
    'url',
  ),
  index: z.string().default('').describe('Index name. Required.'),
  format: format
    .default('access')
    .describe(
      '`access` (the default, as the seed shows): one document per event; `namespace`: one document per object (id `<bucket>/<key>`), deleted when the object is removed (a versioned key shows its current version).',
    ),
  username: z.string().default('').describe('Basic auth user (optional; with `password`).'),
  password: secret(z.string().default('').describe('Basic auth password.')),
  compatibility: z
    .enum(['auto', 'elasticsearch', 'opensearch', 'elasticsearch7'])
    .default('auto')
    .describe(
      'Server dialect: `auto` asks the server when connecting; `elasticsearch` (8/9) is native; `opensearch` and `elasticsearch7` send plain JSON without the product check.',
    ),
});

export const redisSchema = z.strictObject({
  ...common,
  address: z.string().default('').describe('`host:port` of the Redis server. Required.'),
  password: secret(z.string().default('').describe('Password (AUTH); empty for none.')),
  user: z.string().default('').describe('ACL user name (optional).'),
  key: z.string().default('').describe('The hash (namespace) or list (access) key. Required.'),
  format: format
    .default('access')
    .describe(
      '`access` (the default, as the seed shows): RPUSH each event; `namespace`: HSET `<bucket>/<key>` → event, HDEL when the object is removed (a versioned key shows its current version).',
    ),
  accessShape: z
    .enum(['records', 'minio'])
    .default('records')
    .describe(
      'Bucket Events extension: what each list element of the `access` format is. `records` (the default): the seed\'s `{"Records":[event]}`; `minio`: today\'s MinIO `[{"Event":[event],"EventTime":"…"}]`, for consumers written against it.',
    ),
});

export const natsSchema = z.strictObject({
  ...common,
  address: z.string().default('').describe('`host:port` of the NATS server. Required.'),
  subject: z.string().default('').describe('Subject to publish to. Required.'),
  username: z.string().default('').describe('User name (optional; with `password`).'),
  password: secret(z.string().default('').describe('Password.')),
  token: secret(z.string().default('').describe('Authentication token (optional).')),
  secure: z.boolean().default(false).describe('Connect with TLS.'),
  tlsSkipVerify: z
    .boolean()
    .default(false)
    .describe('Accepted for compatibility; the server certificate is still verified.'),
  pingInterval: z
    .number()
    .nonnegative()
    .default(0)
    .describe('Client ping interval in seconds (0 = the client default).'),
  jetstream: z
    .union([z.boolean(), z.strictObject({ enable: z.boolean().default(false) })])
    .default(false)
    .transform((value) => (typeof value === 'boolean' ? value : value.enable))
    .describe(
      'Publish through JetStream (`true` or `{"enable": true}`) and wait for its acknowledgement, with `Nats-Msg-Id` for de-duplication; a stream must capture the subject.',
    ),
  streaming: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Deprecated NATS Streaming settings; accepted and ignored.'),
});

export const postgresqlSchema = z.strictObject({
  ...common,
  connectionString: secret(
    z
      .string()
      .default('')
      .describe('libpq connection string or URL. Either this or host/port/user/database.'),
    'url',
  ),
  table: z.string().default('').describe('Table name: a simple identifier. Required.'),
  format: format
    .default('namespace')
    .describe(
      '`namespace`: one `(key, value)` row per object, deleted when the object is removed (a versioned key shows its current version); `access`: one `(event_time, event_data)` row per event.',
    ),
  host: z.string().default('').describe('Server host, when there is no `connectionString`.'),
  port: z.union([z.string(), z.number()]).default('').describe('Server port (default 5432).'),
  user: z.string().default('').describe('User name.'),
  password: secret(z.string().default('').describe('Password.')),
  database: z.string().default('').describe('Database name.'),
  maxOpenConnections: z.number().int().positive().default(2).describe('Connection pool size (default 2).'),
});

export const kafkaSchema = z.strictObject({
  ...common,
  brokers: z.array(z.string()).default([]).describe('Bootstrap brokers, `host:port` each. Required.'),
  topic: z.string().default('').describe('Topic to produce to. Required.'),
  sasl: z
    .strictObject({
      enable: z.boolean().default(false),
      username: z.string().default(''),
      password: secret(z.string().default('')),
      mechanism: z.enum(['plain', 'sha256', 'sha512']).default('plain'),
    })
    .prefault({})
    .describe(
      'SASL authentication: `{"enable", "username", "password", "mechanism": "plain" | "sha256" | "sha512"}`.',
    ),
  tls: z
    .strictObject({
      enable: z.boolean().default(false),
      skipVerify: z.boolean().default(false),
      clientAuth: z.number().int().default(0),
    })
    .prefault({})
    .describe('TLS to the brokers: `{"enable", "skipVerify", "clientAuth"}`.'),
  version: z
    .string()
    .default('')
    .describe('Accepted for compatibility (sarama protocol version); kafkajs negotiates.'),
  acks: z
    .union([z.literal(-1), z.literal(0), z.literal(1)])
    .default(-1)
    .describe('Required acknowledgements: -1 = all in-sync replicas (default), 1 = leader, 0 = none.'),
});

export const TARGET_SCHEMAS = {
  amqp: amqpSchema,
  elasticsearch: elasticsearchSchema,
  redis: redisSchema,
  nats: natsSchema,
  postgresql: postgresqlSchema,
  kafka: kafkaSchema,
} as const satisfies Record<TargetKind, z.ZodType>;

export type TargetOptions<K extends TargetKind> = z.output<(typeof TARGET_SCHEMAS)[K]>;

/** What an enabled target must have, checked after defaults: [field, message]. */
export function missingRequired(kind: TargetKind, options: Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  const need = (field: string, ok: boolean, message: string) => {
    if (!ok) problems.push([field, message]);
  };
  const nonEmpty = (field: string) =>
    need(field, options[field] !== '', 'required when the target is enabled');
  switch (kind) {
    case 'amqp':
      nonEmpty('url');
      break;
    case 'elasticsearch':
      nonEmpty('url');
      nonEmpty('index');
      break;
    case 'redis':
      nonEmpty('address');
      nonEmpty('key');
      break;
    case 'nats':
      nonEmpty('address');
      nonEmpty('subject');
      break;
    case 'postgresql':
      need(
        'connectionString',
        options.connectionString !== '' || options.host !== '',
        'required when the target is enabled (or host/port/user/database)',
      );
      nonEmpty('table');
      need(
        'table',
        options.table === '' || /^[A-Za-z_][A-Za-z0-9_$]*$/.test(String(options.table)),
        'must be a simple identifier (letters, digits, _ and $)',
      );
      break;
    case 'kafka':
      need(
        'brokers',
        Array.isArray(options.brokers) && options.brokers.length > 0,
        'expected a non-empty list',
      );
      nonEmpty('topic');
      break;
  }
  return problems;
}
