// Vitest fixtures for the real local services. Each service is connected once
// per worker (lazily, only when a test asks for it); each test gets its own
// namespace on it — key prefix, schema, exchange/queue, subject/stream, topic,
// index — which is removed afterwards.
import type { SearchClient } from '@bucket-events/search-client';
import type * as amqp from 'amqplib';
import type { Redis } from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import type { NatsConnection } from 'nats';
import type pg from 'pg';
import { test as base } from 'vitest';
import { requireService } from './availability.ts';
import {
  connectAmqp,
  connectKafka,
  connectNatsServer,
  connectPostgres,
  connectRedis,
  connectSearch,
  type KafkaHandles,
} from './connect.ts';
import { loadServiceEndpoints, type ServiceEndpoints } from './endpoints.ts';
import { forgetPrefix } from './forget-prefix.ts';
import { uniqueName } from './names.ts';

export interface RedisNamespace {
  client: Redis;
  url: string;
  /** Every key a test writes starts with this; BullMQ takes it as its `prefix`. */
  prefix: string;
}

export interface PostgresNamespace {
  /** A pool whose `search_path` is the test's own schema. */
  pool: pg.Pool;
  schema: string;
  url: string;
}

export interface AmqpNamespace {
  connection: amqp.ChannelModel;
  url: string;
  exchange: string;
  queue: string;
}

export interface NatsNamespace {
  connection: NatsConnection;
  url: string;
  subject: string;
  stream: string;
}

export interface KafkaNamespace {
  kafka: Kafka;
  admin: Admin;
  brokers: string[];
  topic: string;
  groupId: string;
}

export interface SearchNamespace {
  client: SearchClient;
  url: string;
  index: string;
}

interface WorkerFixtures {
  endpoints: ServiceEndpoints;
  redisWorker: Lazy<Redis>;
  postgresWorker: Lazy<pg.Pool>;
  amqpWorker: Lazy<amqp.ChannelModel>;
  natsWorker: Lazy<NatsConnection>;
  kafkaWorker: Lazy<KafkaHandles>;
  opensearchWorker: Lazy<SearchClient>;
  elasticsearch7Worker: Lazy<SearchClient>;
}

interface TestFixtures {
  redis: RedisNamespace;
  postgres: PostgresNamespace;
  amqp: AmqpNamespace;
  nats: NatsNamespace;
  kafka: KafkaNamespace;
  opensearch: SearchNamespace;
  elasticsearch7: SearchNamespace;
}

/** A connection made on first use; a failed attempt is remembered, not retried per test. */
type Lazy<T> = () => Promise<T>;

function lazy<T>(connect: () => Promise<T>): { get: Lazy<T>; made: () => Promise<T> | undefined } {
  let promise: Promise<T> | undefined;
  return {
    get: () => {
      promise ??= connect();
      return promise;
    },
    made: () => promise,
  };
}

async function closeIfMade<T>(made: Promise<T> | undefined, close: (value: T) => Promise<unknown> | unknown) {
  if (!made) return;
  const value = await made.catch(() => undefined);
  if (value !== undefined) await close(value);
}

export const test = base.extend<{ $test: TestFixtures; $worker: WorkerFixtures }>({
  endpoints: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixture's dependencies from this pattern
    async ({}, use) => {
      await use(loadServiceEndpoints());
    },
    { scope: 'worker' },
  ],

  redisWorker: [
    async ({ endpoints }, use) => {
      const connection = lazy(() => connectRedis(endpoints.redisUrl));
      await use(connection.get);
      await closeIfMade(connection.made(), (client) => client.quit());
    },
    { scope: 'worker' },
  ],
  redis: async ({ redisWorker, endpoints, skip }, use) => {
    const client = await requireService(redisWorker(), skip);
    const prefix = `${uniqueName('test')}:`;
    await use({ client, url: endpoints.redisUrl, prefix });
    await forgetPrefix(client, prefix);
  },

  postgresWorker: [
    async ({ endpoints }, use) => {
      const connection = lazy(() => connectPostgres(endpoints.postgresUrl));
      await use(connection.get);
      await closeIfMade(connection.made(), (pool) => pool.end());
    },
    { scope: 'worker' },
  ],
  postgres: async ({ postgresWorker, endpoints, skip }, use) => {
    const admin = await requireService(postgresWorker(), skip);
    const schema = uniqueName('test');
    await admin.query(`create schema "${schema}"`);
    const pool = await connectPostgres(endpoints.postgresUrl, { options: `-c search_path="${schema}"` });
    await use({ pool, schema, url: endpoints.postgresUrl });
    await pool.end();
    await admin.query(`drop schema "${schema}" cascade`);
  },

  amqpWorker: [
    async ({ endpoints }, use) => {
      const connection = lazy(() => connectAmqp(endpoints.amqpUrl));
      await use(connection.get);
      await closeIfMade(connection.made(), (model) => model.close());
    },
    { scope: 'worker' },
  ],
  amqp: async ({ amqpWorker, endpoints, skip }, use) => {
    const connection = await requireService(amqpWorker(), skip);
    const namespace = {
      connection,
      url: endpoints.amqpUrl,
      exchange: uniqueName('ex'),
      queue: uniqueName('q'),
    };
    await use(namespace);
    const channel = await connection.createChannel();
    await channel.deleteQueue(namespace.queue);
    await channel.deleteExchange(namespace.exchange);
    await channel.close();
  },

  natsWorker: [
    async ({ endpoints }, use) => {
      const connection = lazy(() => connectNatsServer(endpoints.natsUrl));
      await use(connection.get);
      await closeIfMade(connection.made(), (nc) => nc.drain());
    },
    { scope: 'worker' },
  ],
  nats: async ({ natsWorker, endpoints, skip }, use) => {
    const connection = await requireService(natsWorker(), skip);
    const stream = uniqueName('STREAM');
    await use({
      connection,
      url: endpoints.natsUrl,
      subject: uniqueName('subject').replaceAll('_', '.'),
      stream,
    });
    const manager = await connection.jetstreamManager();
    await manager.streams.delete(stream).catch(() => false); // only some tests create the stream
  },

  kafkaWorker: [
    async ({ endpoints }, use) => {
      const connection = lazy(() => connectKafka(endpoints.kafkaBrokers));
      await use(connection.get);
      await closeIfMade(connection.made(), ({ admin }) => admin.disconnect());
    },
    { scope: 'worker' },
  ],
  kafka: async ({ kafkaWorker, endpoints, skip }, use) => {
    const { kafka, admin } = await requireService(kafkaWorker(), skip);
    const topic = uniqueName('topic');
    await use({ kafka, admin, brokers: endpoints.kafkaBrokers, topic, groupId: uniqueName('group') });
    const topics = await admin.listTopics();
    if (topics.includes(topic)) await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
  },

  opensearchWorker: [
    async ({ endpoints }, use) => {
      const connection = lazy(() => connectSearch('opensearch', endpoints.opensearchUrl));
      await use(connection.get);
      await closeIfMade(connection.made(), (client) => client.close());
    },
    { scope: 'worker' },
  ],
  opensearch: async ({ opensearchWorker, endpoints, skip }, use) => {
    const client = await requireService(opensearchWorker(), skip);
    const index = uniqueName('test');
    await use({ client, url: endpoints.opensearchUrl, index });
    await client.indices.delete({ index, ignore_unavailable: true });
  },

  elasticsearch7Worker: [
    async ({ endpoints }, use) => {
      const connection = lazy(() => connectSearch('elasticsearch7', endpoints.elasticsearch7Url));
      await use(connection.get);
      await closeIfMade(connection.made(), (client) => client.close());
    },
    { scope: 'worker' },
  ],
  elasticsearch7: async ({ elasticsearch7Worker, endpoints, skip }, use) => {
    const client = await requireService(elasticsearch7Worker(), skip);
    const index = uniqueName('test');
    await use({ client, url: endpoints.elasticsearch7Url, index });
    await client.indices.delete({ index, ignore_unavailable: true });
  },
});
