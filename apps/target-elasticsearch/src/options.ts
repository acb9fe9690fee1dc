// The options of the Elasticsearch target: its config.json block (`notify.elasticsearch.<id>`) and its
// MINIO_NOTIFY_ELASTICSEARCH_* variables. The config loader validates every block with
// this, the README's key table is generated from it, and redaction finds its
// secrets through it.
import {
  commonTargetOptions,
  defineTargetOptions,
  eventFormat,
  requireNonEmpty,
  secret,
} from '@bucket-events/config';
import { z } from 'zod';

const schema = z.strictObject({
  ...commonTargetOptions,
  url: secret(
    z
      .string()
      .default('')
      .describe('Base URL, e.g. `http://127.0.0.1:9200` (may embed user:password). Required.'),
    'url',
  ),
  index: z.string().default('').describe('Index name. Required.'),
  format: eventFormat
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

export const options = defineTargetOptions({
  schema,
  envPrefix: 'ELASTICSEARCH',
  required: (options) => requireNonEmpty(options, 'url', 'index'),
});

export type ElasticsearchOptions = z.output<typeof schema>;
