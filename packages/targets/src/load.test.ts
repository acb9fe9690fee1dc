import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, MASK } from '@bucket-events/config';
import { describe, expect, it } from 'vitest';
import { buildConfig, loadConfig, redactTarget } from './index.ts';

const seedBlocks = JSON.parse(readFileSync(new URL('../test/seed-blocks.json', import.meta.url), 'utf8'));

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the seed document', () => {
  it.each([
    ['at the top level', seedBlocks],
    ['under "notify" (old config.json)', { version: '33', notify: seedBlocks }],
  ])('gives six ARNs %s', (_, document) => {
    const config = buildConfig(document, {}, 'test');
    expect(config.targets.map((t) => t.arn)).toEqual([
      'arn:minio:sqs:us-east-1:1:amqp',
      'arn:minio:sqs:us-east-1:1:elasticsearch',
      'arn:minio:sqs:us-east-1:1:redis',
      'arn:minio:sqs:us-east-1:1:nats',
      'arn:minio:sqs:us-east-1:1:postgresql',
      'arn:minio:sqs:us-east-1:1:kafka',
    ]);
    expect(config.targets.map((t) => t.queue)).toContain('target.kafka.1');
    const amqp = config.targets.find((t) => t.kind === 'amqp');
    expect(amqp?.options).toMatchObject({
      exchange: 'bucketevents',
      routingKey: 'bucketlogs',
      exchangeType: 'fanout',
    });
  });
});

describe('validation', () => {
  it('lists every problem at once, with its path', () => {
    const issues = issuesOf(() =>
      buildConfig(
        {
          notify: {
            kafka: { '1': { enable: true, brokers: [], topic: 'x' } },
            amqp: { '1': { enable: true, url: 'amqp://h', exchnage: 'typo' } },
            redis: { '1': { enable: true, address: 'h:1', key: 'k', format: 'weird' } },
          },
          bogus: 1,
        },
        {},
        'test',
      ),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        'bogus: unknown key',
        'notify.kafka.1.brokers: expected a non-empty list',
        'notify.amqp.1: unknown key "exchnage"',
        expect.stringMatching(/^notify\.redis\.1\.format: /),
      ]),
    );
    expect(issues).toHaveLength(4);
  });

  it('ignores disabled targets, checking only their types', () => {
    const config = buildConfig({ kafka: { '1': { enable: false } } }, {}, 'test');
    expect(config.targets).toEqual([]);
  });

  it('refuses a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'config.json'), '{ not json');
    expect(issuesOf(() => loadConfig({ path: join(dir, 'config.json'), env: {} }))[0]).toMatch(
      /^not valid JSON/,
    );
  });

  it('refuses an explicit path that does not exist', () => {
    expect(issuesOf(() => loadConfig({ path: '/nonexistent/config.json', env: {} }))).toEqual([
      'config file not found: /nonexistent/config.json',
    ]);
  });
});

describe('defaults', () => {
  it('without a config file: one Redis target on BullMQ’s Redis, list bucketevents, access format', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    const config = loadConfig({ homeDir: home, env: { REDIS_URL: 'redis://127.0.0.1:6390' } });
    expect(config.source).toBe('built-in defaults');
    expect(config.region).toBe('us-east-1');
    expect(config.credentials).toEqual([{ accessKey: 'minioadmin', secretKey: 'minioadmin' }]);
    expect(config.targets).toHaveLength(1);
    expect(config.targets[0]).toMatchObject({
      arn: 'arn:minio:sqs:us-east-1:1:redis',
      options: { address: '127.0.0.1:6390', key: 'bucketevents', format: 'access' },
    });
  });

  it('without a config file and with the queues on a Redis Cluster: no default target (it writes to one server)', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    const config = loadConfig({
      homeDir: home,
      env: { REDIS_URL: 'redis-cluster://127.0.0.1:7001,127.0.0.1:7002' },
    });
    expect(config.source).toBe('built-in defaults');
    expect(config.targets).toEqual([]);
  });

  it('without a config file, MINIO_NOTIFY_WEBHOOK_* alone adds a webhook target, as with MinIO', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    const env = {
      MINIO_NOTIFY_WEBHOOK_ENABLE_1: 'on',
      MINIO_NOTIFY_WEBHOOK_ENDPOINT_1: 'http://127.0.0.1:8080/events',
      MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_1: 'tok3n',
    };
    const config = loadConfig({ homeDir: home, env });
    expect(config.targets.map((t) => t.arn)).toEqual([
      'arn:minio:sqs:us-east-1:1:redis',
      'arn:minio:sqs:us-east-1:1:webhook',
    ]);
    expect(config.targets[1]?.options).toMatchObject({
      endpoint: 'http://127.0.0.1:8080/events',
      authToken: 'tok3n',
    });
    expect(
      issuesOf(() =>
        loadConfig({
          homeDir: home,
          env: {
            MINIO_NOTIFY_WEBHOOK_ENABLE_1: 'on',
            MINIO_NOTIFY_WEBHOOK_ENDPOINT_1: 'ftp://x',
            MINIO_NOTIFY_WEBHOOK_CLIENT_KEY_1: '/k',
          },
        }),
      ),
    ).toEqual([
      'notify.webhook.1.endpoint: must be an http:// or https:// URL',
      'notify.webhook.1.clientCert: clientCert and clientKey must be set together',
    ]);
  });

  it('reads ~/.minio/config.json when present', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    const dir = join(home, '.minio');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ kafka: seedBlocks.kafka }));
    expect(loadConfig({ homeDir: home, env: {} }).targets.map((t) => t.arn)).toEqual([
      'arn:minio:sqs:us-east-1:1:kafka',
    ]);
  });

  it('takes root credentials and region from the environment', () => {
    const config = buildConfig(
      {},
      { MINIO_ROOT_USER: 'admin', MINIO_ROOT_PASSWORD: 'password123', MINIO_REGION: 'eu-west-1' },
      't',
    );
    expect(config.credentials).toEqual([{ accessKey: 'admin', secretKey: 'password123' }]);
    expect(config.region).toBe('eu-west-1');
  });
});

describe('MINIO_NOTIFY_* environment overrides', () => {
  it('override the file key by key and can enable new targets', () => {
    const config = buildConfig(
      { kafka: seedBlocks.kafka },
      {
        MINIO_NOTIFY_KAFKA_BROKERS_1: 'k1:9092, k2:9092',
        MINIO_NOTIFY_KAFKA_SASL_USERNAME_1: 'user',
        MINIO_NOTIFY_NATS_ENABLE_PRIMARY: 'on',
        MINIO_NOTIFY_NATS_ADDRESS_PRIMARY: '127.0.0.1:4222',
        MINIO_NOTIFY_NATS_SUBJECT_PRIMARY: 'events',
        MINIO_NOTIFY_NATS_JETSTREAM_PRIMARY: 'on',
      },
      't',
    );
    const kafka = config.targets.find((t) => t.kind === 'kafka');
    expect(kafka?.options).toMatchObject({ brokers: ['k1:9092', 'k2:9092'], sasl: { username: 'user' } });
    const nats = config.targets.find((t) => t.kind === 'nats');
    expect(nats).toMatchObject({ arn: 'arn:minio:sqs:us-east-1:PRIMARY:nats', options: { jetstream: true } });
  });

  it('set partitions per target as the README gives it: default 16, MINIO_NOTIFY_<KIND>_PARTITIONS_<ID>, 1 to 1024', () => {
    const block = { redis: { '1': { enable: true, address: 'r:6379', key: 'k' } } };
    expect(buildConfig(block, {}, 't').targets[0]?.options.partitions).toBe(16);
    const four = buildConfig(block, { MINIO_NOTIFY_REDIS_PARTITIONS_1: '4' }, 't');
    expect(four.targets[0]?.options.partitions).toBe(4);
    expect(
      issuesOf(() => buildConfig(block, { MINIO_NOTIFY_REDIS_PARTITIONS_1: '0' }, 't')).join('\n'),
    ).toMatch(/redis\.1\.partitions: Too small/);
    expect(
      issuesOf(() =>
        buildConfig({ redis: { '1': { ...block.redis['1'], partitions: 2000 } } }, {}, 't'),
      ).join('\n'),
    ).toMatch(/redis\.1\.partitions: Too big/);
  });

  it("sets the Redis access list's element shape: the seed's by default, today's MinIO's on request", () => {
    const block = { redis: { '1': { enable: true, address: 'r:6379', key: 'k' } } };
    expect(buildConfig(block, {}, 't').targets[0]?.options).toMatchObject({
      format: 'access',
      accessShape: 'records',
    });
    const minio = buildConfig(block, { MINIO_NOTIFY_REDIS_ACCESS_SHAPE_1: 'minio' }, 't');
    expect(minio.targets[0]?.options).toMatchObject({ accessShape: 'minio' });
    expect(
      issuesOf(() => buildConfig(block, { MINIO_NOTIFY_REDIS_ACCESS_SHAPE_1: 'array' }, 't')).join('\n'),
    ).toMatch(/redis\.1\.accessShape/);
  });

  it('reports unknown variables and bad values', () => {
    const issues = issuesOf(() =>
      buildConfig({}, { MINIO_NOTIFY_KAFKA_BROKERZ_1: 'x', MINIO_NOTIFY_REDIS_ENABLE_1: 'maybe' }, 't'),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        'MINIO_NOTIFY_KAFKA_BROKERZ_1: unknown environment variable',
        expect.stringMatching(/^notify\.redis\.1\.enable: /),
      ]),
    );
  });
});

describe('secrets', () => {
  it('never appear in a redacted target nor in config errors', () => {
    const config = buildConfig(seedBlocks, {}, 't');
    const printed = JSON.stringify(config.targets.map(redactTarget));
    for (const secret of ['mypassword', 'yoursecret']) expect(printed).not.toContain(secret);
    expect(printed).toContain(MASK);
    const issues = issuesOf(() =>
      buildConfig({ redis: { '1': { enable: true, password: 'hunter2', key: 'k' } } }, {}, 't'),
    );
    expect(issues.join('\n')).not.toContain('hunter2');
  });
});

describe("the seed's target blocks, pasted verbatim", () => {
  it('do what the seed shows: Redis RPUSH and an Elasticsearch document per event (access), PostgreSQL key/value (namespace)', () => {
    const config = buildConfig(
      {
        redis: {
          '1': { enable: true, address: '127.0.0.1:6379', password: 'yoursecret', key: 'bucketevents' },
        },
        elasticsearch: { '1': { enable: true, url: 'http://127.0.0.1:9200', index: 'bucketevents' } },
        postgresql: {
          '1': {
            enable: true,
            connectionString: '',
            table: 'bucketevents',
            host: '127.0.0.1',
            port: '5432',
            user: 'postgres',
            password: 'mypassword',
            database: 'bucketevents_db',
          },
        },
      },
      {},
      'seed',
    );
    const formats = Object.fromEntries(
      config.targets.map((t) => [t.kind, (t.options as { format?: string }).format]),
    );
    expect(formats).toEqual({ redis: 'access', elasticsearch: 'access', postgresql: 'namespace' });
  });
});
