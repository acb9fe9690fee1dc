// The options of the PostgreSQL target: its config.json block (`notify.postgresql.<id>`) and its
// MINIO_NOTIFY_POSTGRES_* variables. The config loader validates every block with
// this, the README's key table is generated from it, and redaction finds its
// secrets through it.
import {
  commonTargetOptions,
  defineTargetOptions,
  eventFormat,
  type RequiredProblem,
  requireNonEmpty,
  secret,
} from '@bucket-events/config';
import { z } from 'zod';

const schema = z.strictObject({
  ...commonTargetOptions,
  connectionString: secret(
    z
      .string()
      .default('')
      .describe('libpq connection string or URL. Either this or host/port/user/database.'),
    'url',
  ),
  table: z.string().default('').describe('Table name: a simple identifier. Required.'),
  format: eventFormat
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

export const options = defineTargetOptions({
  schema,
  envPrefix: 'POSTGRES',
  envAliases: { CONNECTION_STRING: ['connectionString'] },
  required: (options) => [
    ...(options.connectionString === '' && options.host === ''
      ? [
          [
            'connectionString',
            'required when the target is enabled (or host/port/user/database)',
          ] as RequiredProblem,
        ]
      : []),
    ...requireNonEmpty(options, 'table'),
    ...(options.table !== '' && !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(options.table)
      ? [['table', 'must be a simple identifier (letters, digits, _ and $)'] as RequiredProblem]
      : []),
  ],
});

export type PostgresqlOptions = z.output<typeof schema>;
