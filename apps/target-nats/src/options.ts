// The options of the NATS target: its config.json block (`notify.nats.<id>`) and its
// MINIO_NOTIFY_NATS_* variables. The config loader validates every block with
// this, the README's key table is generated from it, and redaction finds its
// secrets through it.
import { commonTargetOptions, defineTargetOptions, requireNonEmpty, secret } from '@bucket-events/config';
import { z } from 'zod';

const schema = z.strictObject({
  ...commonTargetOptions,
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

export const options = defineTargetOptions({
  schema,
  envPrefix: 'NATS',
  envAliases: { TLS: ['secure'], TLS_SKIP_VERIFY: ['tlsSkipVerify'], PING_INTERVAL: ['pingInterval'] },
  required: (options) => requireNonEmpty(options, 'address', 'subject'),
});

export type NatsOptions = z.output<typeof schema>;
