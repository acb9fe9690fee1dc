// The configuration the deployment files ship (infra/deploy/config.json) loads
// with the secrets compose passes as MinIO's environment overrides, and is
// refused without them: a broken deploy config fails here, not at start-up.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildConfig } from './index.ts';

const path = new URL('../../../infra/deploy/config.json', import.meta.url);
const document = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('infra/deploy/config.json', () => {
  const secrets = {
    MINIO_NOTIFY_AMQP_URL_1: 'amqp://bucketevents:secret@rabbitmq:5672',
    MINIO_NOTIFY_POSTGRES_CONNECTION_STRING_1: 'postgres://bucketevents:secret@postgres:5432/bucketevents',
    MINIO_NOTIFY_MYSQL_DSN_STRING_1: 'bucketevents:secret@tcp(mariadb:3306)/bucketevents',
  };

  it('enables every target but the webhook once compose supplies the secrets', () => {
    const config = buildConfig(document, secrets, 'deploy');
    expect(config.targets.map((t) => t.arn).sort()).toEqual([
      'arn:minio:sqs:us-east-1:1:amqp',
      'arn:minio:sqs:us-east-1:1:elasticsearch',
      'arn:minio:sqs:us-east-1:1:kafka',
      'arn:minio:sqs:us-east-1:1:mqtt',
      'arn:minio:sqs:us-east-1:1:mysql',
      'arn:minio:sqs:us-east-1:1:nats',
      'arn:minio:sqs:us-east-1:1:postgresql',
      'arn:minio:sqs:us-east-1:1:redis',
    ]);
    expect(JSON.stringify(document)).not.toMatch(/bucketevents:bucketevents@/);
  });

  it('enables the webhook as compose passes it when the user sets its two variables', () => {
    const config = buildConfig(
      document,
      {
        ...secrets,
        MINIO_NOTIFY_WEBHOOK_ENABLE_1: 'on',
        MINIO_NOTIFY_WEBHOOK_ENDPOINT_1: 'https://hooks.example/in',
      },
      'deploy',
    );
    expect(config.targets.find((t) => t.kind === 'webhook')).toMatchObject({
      arn: 'arn:minio:sqs:us-east-1:1:webhook',
      options: { endpoint: 'https://hooks.example/in' },
    });
    // compose's defaults when they are not set: off, and an empty endpoint
    const off = buildConfig(
      document,
      { ...secrets, MINIO_NOTIFY_WEBHOOK_ENABLE_1: 'off', MINIO_NOTIFY_WEBHOOK_ENDPOINT_1: '' },
      'deploy',
    );
    expect(off.targets.some((t) => t.kind === 'webhook')).toBe(false);
  });

  it('is refused without them, naming what is missing', () => {
    expect(() => buildConfig(document, {}, 'deploy')).toThrow(/amqp\.1\.url: required/);
  });
});
