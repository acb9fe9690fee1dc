// The loader knows no target kind of its own: it validates the kinds of the
// registry it is given. A registry of every kind (ingest, router) reports every
// stray MINIO_NOTIFY_* variable; a target app's registry of its own kind leaves
// the other kinds' blocks and variables to the processes that know them.
import { TARGET_KINDS } from '@bucket-events/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildConfig, ConfigError } from './load.ts';
import { redactTarget } from './redact.ts';
import {
  commonTargetOptions,
  defineTargetOptions,
  requireNonEmpty,
  secret,
  type TargetOptionsRegistry,
} from './target-options.ts';

const redis = defineTargetOptions({
  schema: z.strictObject({
    ...commonTargetOptions,
    address: z.string().default(''),
    password: secret(z.string().default('')),
    key: z.string().default(''),
  }),
  envPrefix: 'REDIS',
  envAliases: { ADDR: ['address'] },
  required: (options) => requireNonEmpty(options, 'address', 'key'),
});
const nats = defineTargetOptions({
  schema: z.strictObject({ ...commonTargetOptions, subject: z.string().default('') }),
  envPrefix: 'NATS',
  required: (options) => requireNonEmpty(options, 'subject'),
});

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('buildConfig with a registry', () => {
  const document = {
    notify: {
      redis: { '1': { enable: true, address: 'localhost:6379', key: 'events', password: 'pw' } },
      nats: { '1': { enable: true, bogus: 1 } },
    },
  };

  it('validates only the kinds it is given', () => {
    const config = buildConfig({ redis }, document, {}, 'test');
    expect(config.targets.map((t) => t.arn)).toEqual(['arn:minio:sqs:us-east-1:1:redis']);
    expect(issuesOf(() => buildConfig({ redis, nats }, document, {}, 'test'))).toEqual([
      'notify.nats.1: unknown key "bogus"',
      'notify.nats.1.subject: required when the target is enabled',
    ]);
  });

  it("applies a kind's variables, its aliases included, and reports strays only when it knows every kind", () => {
    const env = {
      MINIO_NOTIFY_REDIS_ADDR_2: 'h:1',
      MINIO_NOTIFY_REDIS_KEY_2: 'k',
      MINIO_NOTIFY_REDIS_ENABLE_2: 'on',
    };
    const config = buildConfig({ redis }, {}, { ...env, MINIO_NOTIFY_WEBHOOK_ENABLE_1: 'on' }, 'test');
    expect(config.targets.map((t) => [t.id, t.options])).toEqual([
      ['2', expect.objectContaining({ address: 'h:1', key: 'k', enable: true })],
    ]);
    const complete = Object.fromEntries(
      TARGET_KINDS.map((kind) => [kind, kind === 'nats' ? nats : redis]),
    ) as TargetOptionsRegistry;
    expect(
      issuesOf(() => buildConfig(complete, {}, { MINIO_NOTIFY_WEBHOOK_ENABLE_1: 'on' }, 'test')),
    ).toEqual(['MINIO_NOTIFY_WEBHOOK_ENABLE_1: unknown environment variable']);
  });

  it("hides the fields a kind's schema marks secret", () => {
    const [target] = buildConfig({ redis }, document, {}, 'test').targets;
    if (!target) throw new Error('expected the redis target');
    expect(redactTarget(target, redis).options).toMatchObject({
      password: '********',
      key: 'events',
    });
  });
});
