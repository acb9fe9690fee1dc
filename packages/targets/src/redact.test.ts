// Redaction by schema: every field a kind's schema marks secret is hidden in a
// printed target, nested ones (Kafka's SASL password) included, and URLs keep
// everything but their password.

import { MASK, objectShapeOf, secretFields } from '@bucket-events/config';
import { TARGET_KINDS } from '@bucket-events/contracts';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildConfig, redactTarget, TARGET_OPTIONS } from './index.ts';

const blocks = {
  amqp: { '1': { enable: true, url: 'amqp://guest:amqp-secret@rabbit:5672', exchange: 'x' } },
  elasticsearch: {
    '1': { enable: true, url: 'http://elastic:es-url-secret@search:9200', index: 'i', password: 'es-secret' },
  },
  redis: { '1': { enable: true, address: 'redis:6379', key: 'k', password: 'redis-secret' } },
  nats: {
    '1': { enable: true, address: 'nats:4222', subject: 's', password: 'nats-secret', token: 'nats-token' },
  },
  postgresql: {
    '1': { enable: true, connectionString: 'host=db password=pg-cs-secret', table: 't' },
    '2': { enable: true, host: 'db', table: 't', password: 'pg-secret' },
  },
  kafka: {
    '1': {
      enable: true,
      brokers: ['kafka:9092'],
      topic: 't',
      sasl: { enable: true, username: 'user', password: 'kafka-secret' },
    },
  },
  webhook: {
    '1': { enable: true, endpoint: 'https://hook:hook-url-secret@hooks.example/in', authToken: 'hook-token' },
  },
  mqtt: {
    '1': {
      enable: true,
      broker: 'tcp://mq:mqtt-url-secret@broker:1883',
      topic: 't',
      password: 'mqtt-secret',
    },
  },
  mysql: {
    '1': { enable: true, dsnString: 'user:mysql-dsn-secret@tcp(db:3306)/events', table: 't' },
    '2': { enable: true, host: 'db', table: 't', password: 'mysql-secret' },
  },
};
const SECRETS = [
  'amqp-secret',
  'es-url-secret',
  'es-secret',
  'redis-secret',
  'nats-secret',
  'nats-token',
  'pg-cs-secret',
  'pg-secret',
  'kafka-secret',
  'hook-url-secret',
  'hook-token',
  'mqtt-url-secret',
  'mqtt-secret',
  'mysql-dsn-secret',
  'mysql-secret',
];

describe('redactTarget', () => {
  it("hides every field the kind's schema marks secret, nested ones too, and only the password of a URL", () => {
    const config = buildConfig({ notify: blocks }, {}, 'test');
    expect(new Set(config.targets.map((t) => t.kind))).toEqual(new Set(TARGET_KINDS));
    const printed = JSON.stringify(config.targets.map(redactTarget));
    for (const secret of SECRETS) expect(printed).not.toContain(secret);
    const kafka = redactTarget(config.targets.find((t) => t.kind === 'kafka') as never);
    expect((kafka.options as { sasl: Record<string, unknown> }).sasl).toMatchObject({
      username: 'user',
      password: MASK,
    });
    const amqp = redactTarget(config.targets.find((t) => t.kind === 'amqp') as never);
    expect((amqp.options as { url: string }).url).toBe(`amqp://guest:${MASK}@rabbit:5672`);
  });

  it('leaves an empty secret empty (nothing configured is not a secret)', () => {
    const config = buildConfig(
      { notify: { redis: { '1': { enable: true, address: 'r:6379', key: 'k' } } } },
      {},
      't',
    );
    expect((redactTarget(config.targets[0] as never).options as { password: string }).password).toBe('');
  });

  it('every field named like a credential, in every kind, is marked secret in its schema', () => {
    const unmarked: string[] = [];
    const visit = (path: string, shape: Record<string, z.ZodType>) => {
      for (const [name, field] of Object.entries(shape)) {
        const nested = objectShapeOf(field);
        if (/password|token|secret|url|connectionString/i.test(name) && !secretFields.has(field))
          unmarked.push(`${path}.${name}`);
        if (nested) visit(`${path}.${name}`, nested);
      }
    };
    for (const kind of TARGET_KINDS) visit(kind, TARGET_OPTIONS[kind].schema.shape);
    expect(unmarked).toEqual([]);
  });
});
