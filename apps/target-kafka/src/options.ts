// The options of the Kafka target: its config.json block (`notify.kafka.<id>`) and its
// MINIO_NOTIFY_KAFKA_* variables. The config loader validates every block with
// this, the README's key table is generated from it, and redaction finds its
// secrets through it.
import {
  commonTargetOptions,
  defineTargetOptions,
  type RequiredProblem,
  requireNonEmpty,
  secret,
} from '@bucket-events/config';
import { z } from 'zod';

const schema = z.strictObject({
  ...commonTargetOptions,
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

export const options = defineTargetOptions({
  schema,
  envPrefix: 'KAFKA',
  envAliases: {
    SASL: ['sasl', 'enable'],
    SASL_USERNAME: ['sasl', 'username'],
    SASL_PASSWORD: ['sasl', 'password'],
    SASL_MECHANISM: ['sasl', 'mechanism'],
    TLS: ['tls', 'enable'],
    TLS_SKIP_VERIFY: ['tls', 'skipVerify'],
    TLS_CLIENT_AUTH: ['tls', 'clientAuth'],
  },
  required: (options) => [
    ...(options.brokers.length === 0 ? [['brokers', 'expected a non-empty list'] as RequiredProblem] : []),
    ...requireNonEmpty(options, 'topic'),
  ],
});

export type KafkaOptions = z.output<typeof schema>;
