// The options of the Redis target: its config.json block (`notify.redis.<id>`) and its
// MINIO_NOTIFY_REDIS_* variables. The config loader validates every block with
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
  address: z.string().default('').describe('`host:port` of the Redis server. Required.'),
  password: secret(z.string().default('').describe('Password (AUTH); empty for none.')),
  user: z.string().default('').describe('ACL user name (optional).'),
  key: z.string().default('').describe('The hash (namespace) or list (access) key. Required.'),
  format: eventFormat
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

export const options = defineTargetOptions({
  schema,
  envPrefix: 'REDIS',
  required: (options) => requireNonEmpty(options, 'address', 'key'),
});

export type RedisOptions = z.output<typeof schema>;
