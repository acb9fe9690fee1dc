// The options of the AMQP (RabbitMQ) target: its config.json block (`notify.amqp.<id>`) and its
// MINIO_NOTIFY_AMQP_* variables. The config loader validates every block with
// this, the README's key table is generated from it, and redaction finds its
// secrets through it.
import { commonTargetOptions, defineTargetOptions, requireNonEmpty, secret } from '@bucket-events/config';
import { z } from 'zod';

const schema = z.strictObject({
  ...commonTargetOptions,
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

export const options = defineTargetOptions({
  schema,
  envPrefix: 'AMQP',
  envAliases: { PUBLISHING_CONFIRMS: ['publisherConfirms'] },
  required: (options) => requireNonEmpty(options, 'url'),
});

export type AmqpOptions = z.output<typeof schema>;
