// The options of the MySQL target: its config.json block (`notify.mysql.<id>`)
// and its MINIO_NOTIFY_MYSQL_* variables (MinIO's `dsn_string`, `table`,
// `format`, `max_open_connections`, and the older host/port/user/password/database
// keys). The config loader validates every block with this, the README's key
// table is generated from it, and redaction finds its secrets through it.
import {
  commonTargetOptions,
  defineTargetOptions,
  eventFormat,
  type RequiredProblem,
  requireNonEmpty,
  secret,
} from '@bucket-events/config';
import { z } from 'zod';
import { parseDsn } from './dsn.ts';

const schema = z.strictObject({
  ...commonTargetOptions,
  dsnString: secret(
    z
      .string()
      .default('')
      .describe(
        'Go MySQL driver DSN, as MinIO takes it: `user:password@tcp(host:port)/database`. Either this or host/port/user/database.',
      ),
    'url',
  ),
  table: z.string().default('').describe('Table name: a simple identifier. Required.'),
  format: eventFormat
    .default('namespace')
    .describe(
      '`namespace`: one `(key_name, value)` row per object, deleted when the object is removed (order-safe; a versioned key shows its current version); `access`: one `(event_time, event_data)` row per event.',
    ),
  host: z.string().default('').describe('Server host, when there is no `dsnString`.'),
  port: z.union([z.string(), z.number()]).default('').describe('Server port (default 3306).'),
  user: z.string().default('').describe('User name.'),
  password: secret(z.string().default('').describe('Password.')),
  database: z.string().default('').describe('Database name.'),
  maxOpenConnections: z.number().int().positive().default(2).describe('Connection pool size (default 2).'),
});

export const options = defineTargetOptions({
  schema,
  envPrefix: 'MYSQL',
  envAliases: { DSN_STRING: ['dsnString'] },
  required: (options) => [
    ...(options.dsnString === '' && options.host === ''
      ? [['dsnString', 'required when the target is enabled (or host/port/user/database)'] as RequiredProblem]
      : []),
    ...(options.dsnString !== '' && parseDsn(options.dsnString) === undefined
      ? [['dsnString', 'expected user:password@tcp(host:port)/database'] as RequiredProblem]
      : []),
    ...requireNonEmpty(options, 'table'),
    ...(options.table !== '' && !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(options.table)
      ? [['table', 'must be a simple identifier (letters, digits, _ and $)'] as RequiredProblem]
      : []),
  ],
});

export type MysqlOptions = z.output<typeof schema>;
