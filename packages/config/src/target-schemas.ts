// One schema per target kind, with the keys of the seed's config.json blocks
// and the later MinIO options. Each option is documented where it is declared;
// unknown keys are errors. Required keys are enforced only for enabled targets.
import type { TargetKind } from '@bucket-events/contracts';
import { z } from 'zod';

const common = {
  /** Whether the target exists at all; a disabled target has no ARN. Default false. */
  enable: z.boolean().default(false),
  /** Accepted for compatibility with MinIO's store; events wait in Redis (BullMQ) instead. */
  queueDir: z.string().default(''),
  /** Most events kept waiting for this target before it is reported over its limit (0 = 100 000). */
  queueLimit: z.number().int().nonnegative().default(0),
  /** Free text, ignored. */
  comment: z.string().optional(),
};

const format = z.enum(['namespace', 'access']);

export const amqpSchema = z.strictObject({
  ...common,
  /** AMQP URI, e.g. `amqp://user:password@localhost:5672`. Required. */
  url: z.string().default(''),
  /** Exchange to publish to (declared once per connection). */
  exchange: z.string().default(''),
  /** Routing key of every message. */
  routingKey: z.string().default(''),
  /** Exchange type: `fanout`, `direct`, `topic`, `headers`. */
  exchangeType: z.string().default('fanout'),
  /** Publish with the mandatory flag (unroutable messages are returned, and counted as failures). */
  mandatory: z.boolean().default(false),
  /** Accepted for compatibility; RabbitMQ 3+ does not implement `immediate`. */
  immediate: z.boolean().default(false),
  /** Declare the exchange durable. */
  durable: z.boolean().default(false),
  /** Declare the exchange internal. */
  internal: z.boolean().default(false),
  /** Accepted for compatibility; declarations always wait for the broker's answer. */
  noWait: z.boolean().default(false),
  /** Declare the exchange auto-deleted. */
  autoDeleted: z.boolean().default(false),
  /** 1 = transient, 2 = persistent (default). 0 means the default. */
  deliveryMode: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(2),
  /** Accepted for compatibility; every publish is confirmed by the broker before it counts as delivered. */
  publisherConfirms: z.boolean().default(true),
});

export const elasticsearchSchema = z.strictObject({
  ...common,
  /** Base URL, e.g. `http://127.0.0.1:9200` (may embed user:password). Required. */
  url: z.string().default(''),
  /** Index name. Required. */
  index: z.string().default(''),
  /** `namespace`: one document per object; `access`: one document per event. Default namespace. */
  format: format.default('namespace'),
  /** Basic auth user and password (optional, together). */
  username: z.string().default(''),
  password: z.string().default(''),
  /**
   * Server dialect: `auto` (default: asks the server at connect time), `elasticsearch` (8/9, native),
   * or `opensearch` / `elasticsearch7` (plain JSON, no product check).
   */
  compatibility: z.enum(['auto', 'elasticsearch', 'opensearch', 'elasticsearch7']).default('auto'),
});

export const redisSchema = z.strictObject({
  ...common,
  /** `host:port` of the Redis server. Required. */
  address: z.string().default(''),
  /** Password (AUTH); empty for none. */
  password: z.string().default(''),
  /** ACL user name (optional). */
  user: z.string().default(''),
  /** The hash (namespace) or list (access) key. Required. */
  key: z.string().default(''),
  /** `namespace`: HSET bucket/key → event; `access`: RPUSH each event. Default namespace. */
  format: format.default('namespace'),
});

export const natsSchema = z.strictObject({
  ...common,
  /** `host:port` of the NATS server. Required. */
  address: z.string().default(''),
  /** Subject to publish to. Required. */
  subject: z.string().default(''),
  /** User and password (optional, together). */
  username: z.string().default(''),
  password: z.string().default(''),
  /** Authentication token (optional). */
  token: z.string().default(''),
  /** Connect with TLS. */
  secure: z.boolean().default(false),
  /** Verify nothing about the server's TLS certificate (testing only). */
  tlsSkipVerify: z.boolean().default(false),
  /** Client ping interval in seconds (0 = the client default). */
  pingInterval: z.number().nonnegative().default(0),
  /** Publish through JetStream and wait for its acknowledgement; the stream must exist. */
  jetstream: z
    .union([z.boolean(), z.strictObject({ enable: z.boolean().default(false) })])
    .default(false)
    .transform((value) => (typeof value === 'boolean' ? value : value.enable)),
  /** Deprecated NATS Streaming settings; accepted and ignored. */
  streaming: z.record(z.string(), z.unknown()).optional(),
});

export const postgresqlSchema = z.strictObject({
  ...common,
  /** libpq connection string or URL. Either this or host/port/user/database. */
  connectionString: z.string().default(''),
  /** Table name: a simple identifier. Required. */
  table: z.string().default(''),
  /** `namespace`: one row per object; `access`: one row per event. Default namespace. */
  format: format.default('namespace'),
  host: z.string().default(''),
  port: z.union([z.string(), z.number()]).default(''),
  user: z.string().default(''),
  password: z.string().default(''),
  database: z.string().default(''),
  /** Connection pool size (default 2). */
  maxOpenConnections: z.number().int().positive().default(2),
});

export const kafkaSchema = z.strictObject({
  ...common,
  /** Bootstrap brokers, `host:port` each. Required. */
  brokers: z.array(z.string()).default([]),
  /** Topic to produce to. Required. */
  topic: z.string().default(''),
  /** SASL authentication. */
  sasl: z
    .strictObject({
      enable: z.boolean().default(false),
      username: z.string().default(''),
      password: z.string().default(''),
      mechanism: z.enum(['plain', 'sha256', 'sha512']).default('plain'),
    })
    .prefault({}),
  /** TLS to the brokers. */
  tls: z
    .strictObject({
      enable: z.boolean().default(false),
      skipVerify: z.boolean().default(false),
      clientAuth: z.number().int().default(0),
    })
    .prefault({}),
  /** Accepted for compatibility (sarama protocol version); kafkajs negotiates. */
  version: z.string().default(''),
  /** Required acknowledgements: -1 = all in-sync replicas (default), 1 = leader, 0 = none. */
  acks: z.union([z.literal(-1), z.literal(0), z.literal(1)]).default(-1),
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

/** Fields whose values never appear in logs, errors or API answers. */
export const SECRET_FIELDS = new Set(['password', 'token', 'url', 'connectionString']);
