// The targets of the outage test, each with a way to stop and start its
// server and a reader that survives those restarts: every read opens what it
// needs and closes it again. Readers return events in arrival order.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { EventRecord, TargetKind } from '@bucket-events/contracts';
import { createSearchClient } from '@bucket-events/search-client';
import { type MqttSubscriber, startMqttSubscriber } from '@bucket-events/target-mqtt/subscriber';
import { startWebhookReceiver } from '@bucket-events/target-webhook/receiver';
import { connectAmqp, createReadyTopic, loadServiceEndpoints } from '@bucket-events/testing';
import { privateRedis } from '@bucket-events/testing/services';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { connect as connectNats, type JetStreamManager } from 'nats';
import pg from 'pg';

const run = promisify(execFile);
const endpoints = loadServiceEndpoints();
const SVC = new URL('../../../infra/local/svc', import.meta.url).pathname;

export interface Arrival {
  key: string;
  sequencer: string;
  eventName: string;
  /** The `x-amz-request-id` of the S3 request that made the event: ties it to an acknowledged upload. */
  requestId: string;
  eTag: string;
}

export interface OutageTarget {
  kind: TargetKind;
  /** The target block (id `1`). */
  block: Record<string, unknown>;
  /** Creates what the reader needs (queue, stream, topic…) before any event. */
  prepare(): Promise<void>;
  /** Everything the target holds, in arrival order. */
  arrivals(): Promise<Arrival[]>;
  /** How many events the target holds, when counting is cheaper than reading them all. */
  count?(): Promise<number>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  cleanup(): Promise<void>;
}

const arrival = (document: { Records: EventRecord[] }): Arrival => {
  const record = document.Records[0] as EventRecord;
  return {
    key: decodeURIComponent(record.s3.object.key),
    sequencer: record.s3.object.sequencer,
    eventName: record.eventName,
    requestId: String(record.responseElements['x-amz-request-id'] ?? ''),
    eTag: record.s3.object.eTag ?? '',
  };
};

/** A shared local service stopped and started through infra/local/svc. */
const localService = (service: string) => ({
  stopServer: async () => {
    await run('bash', [SVC, 'down', service]);
  },
  startServer: async () => {
    await run('bash', [SVC, 'up', service], { timeout: 300_000 });
  },
});

function amqpTarget(name: string): OutageTarget {
  const seen: Arrival[] = [];
  return {
    kind: 'amqp',
    // Durable exchange and queue and persistent messages: what the broker holds survives its restart.
    block: { enable: true, url: endpoints.amqpUrl, exchange: name, exchangeType: 'fanout', durable: true },
    async prepare() {
      const connection = await connectAmqp(endpoints.amqpUrl);
      const channel = await connection.createChannel();
      await channel.assertExchange(name, 'fanout', { durable: true });
      await channel.assertQueue(name, { durable: true });
      await channel.bindQueue(name, name, '');
      await connection.close();
    },
    async arrivals() {
      const connection = await connectAmqp(endpoints.amqpUrl);
      const channel = await connection.createChannel();
      for (let message = await channel.get(name, { noAck: true }); message; ) {
        seen.push(arrival(JSON.parse(message.content.toString())));
        message = await channel.get(name, { noAck: true });
      }
      await connection.close();
      return [...seen];
    },
    ...localService('rabbitmq'),
    async cleanup() {
      const connection = await connectAmqp(endpoints.amqpUrl);
      const channel = await connection.createChannel();
      await channel.deleteQueue(name);
      await channel.deleteExchange(name);
      await connection.close();
    },
  };
}

function elasticsearchTarget(name: string): OutageTarget {
  const client = () => createSearchClient({ url: endpoints.opensearchUrl, compatibility: 'opensearch' });
  return {
    kind: 'elasticsearch',
    block: { enable: true, url: endpoints.opensearchUrl, index: name, format: 'access' },
    async prepare() {
      const c = client();
      // One shard, so `_seq_no` is the order of arrival.
      await c.indices.create({ index: name, settings: { number_of_shards: 1, number_of_replicas: 0 } });
      await c.close();
    },
    async arrivals() {
      const c = client();
      try {
        await c.indices.refresh({ index: name });
        // Paged with search_after: one search returns at most 10,000 hits (index.max_result_window).
        const arrivals: Arrival[] = [];
        let after: (string | number)[] | undefined;
        for (;;) {
          const result = await c.search<{ Records: EventRecord[] }>({
            index: name,
            size: 5_000,
            sort: [{ _seq_no: { order: 'asc', unmapped_type: 'long' } }],
            ...(after ? { search_after: after } : {}),
          });
          const hits = result.hits.hits;
          for (const hit of hits) arrivals.push(arrival(hit._source as { Records: EventRecord[] }));
          if (hits.length < 5_000) return arrivals;
          after = hits.at(-1)?.sort as (string | number)[];
        }
      } finally {
        await c.close();
      }
    },
    ...localService('opensearch'),
    async cleanup() {
      const c = client();
      await c.indices.delete({ index: name, ignore_unavailable: true });
      await c.close();
    },
  };
}

/** The Redis target gets a Redis of its own: the shared one is BullMQ's store, which the whole pipeline needs. */
export async function redisTarget(name: string): Promise<OutageTarget> {
  const server = await privateRedis();
  return {
    kind: 'redis',
    block: { enable: true, address: server.address, key: name, format: 'access' },
    prepare: server.start,
    async arrivals() {
      const c = server.client();
      await c.connect();
      const items = await c.lrange(name, 0, -1);
      c.disconnect();
      return items.map((item) => arrival(JSON.parse(item)));
    },
    stopServer: server.stop,
    startServer: server.start,
    cleanup: server.remove,
  };
}

function natsTarget(name: string): OutageTarget {
  const subject = name.replaceAll('_', '.');
  const stream = name.toUpperCase();
  const withManager = async <T>(use: (manager: JetStreamManager) => Promise<T>) => {
    const connection = await connectNats({ servers: endpoints.natsUrl });
    try {
      return await use(await connection.jetstreamManager());
    } finally {
      await connection.close();
    }
  };
  return {
    kind: 'nats',
    // JetStream: published events are stored by the server (on disk), acknowledged, de-duplicated.
    block: { enable: true, address: new URL(endpoints.natsUrl).host, subject, jetstream: true },
    prepare: () =>
      withManager(async (manager) => {
        await manager.streams.add({ name: stream, subjects: [subject] });
      }),
    arrivals: () =>
      withManager(async (manager) => {
        const info = await manager.streams.info(stream);
        const out: Arrival[] = [];
        for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
          const message = await manager.streams.getMessage(stream, { seq });
          out.push(arrival(message.json()));
        }
        return out;
      }),
    ...localService('nats'),
    cleanup: () =>
      withManager(async (manager) => {
        await manager.streams.delete(stream);
      }),
  };
}

function postgresqlTarget(name: string): OutageTarget {
  const query = async <T extends pg.QueryResultRow>(sql: string) => {
    const client = new pg.Client({ connectionString: endpoints.postgresUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    kind: 'postgresql',
    block: { enable: true, connectionString: endpoints.postgresUrl, table: name, format: 'access' },
    async prepare() {},
    async arrivals() {
      const exists = await query<{ t: string | null }>(`select to_regclass('${name}') as t`);
      if (exists[0]?.t === null) return [];
      // In commit order: each batch is one transaction holding at most one event per key, and a
      // key's next batch starts after the previous one committed, so its xmin is larger.
      // (Physical order, ctid, is not insertion order once a rolled-back batch left free space.)
      const rows = await query<{ event_data: { Records: EventRecord[] } }>(
        `select event_data from ${name} order by xmin::text::bigint, ctid`,
      );
      return rows.map((row) => arrival(row.event_data));
    },
    ...localService('postgres'),
    async cleanup() {
      await query(`drop table if exists ${name}`);
    },
  };
}

function mysqlTarget(name: string): OutageTarget {
  const query = async <T>(sql: string) => {
    const connection = await mysql.createConnection({ uri: endpoints.mysqlUrl });
    try {
      return (await connection.query(sql))[0] as T[];
    } finally {
      await connection.end();
    }
  };
  const url = new URL(endpoints.mysqlUrl);
  return {
    kind: 'mysql',
    // MinIO's DSN form.
    block: {
      enable: true,
      dsnString: `${url.username}:${url.password}@tcp(${url.host})${url.pathname}`,
      table: name,
      format: 'access',
    },
    async prepare() {},
    async arrivals() {
      const exists = await query<{ n: number }>(
        `select count(*) as n from information_schema.tables where table_schema = database() and table_name = '${name}'`,
      );
      if (Number(exists[0]?.n ?? 0) === 0) return [];
      // In insertion order: a table without a primary key is kept in InnoDB's row-id order, and a
      // key's next batch is inserted after the previous one committed.
      const rows = await query<{ event_data: string | { Records: EventRecord[] } }>(
        `select event_data from \`${name}\``,
      );
      return rows.map((row) =>
        arrival(typeof row.event_data === 'string' ? JSON.parse(row.event_data) : row.event_data),
      );
    },
    ...localService('mariadb'),
    async cleanup() {
      await query(`drop table if exists \`${name}\``);
    },
  };
}

function kafkaTarget(name: string): OutageTarget {
  const kafka = new Kafka({
    clientId: 'outage-reader',
    brokers: endpoints.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const withAdmin = async <T>(use: (admin: ReturnType<Kafka['admin']>) => Promise<T>) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  };
  return {
    kind: 'kafka',
    block: { enable: true, brokers: endpoints.kafkaBrokers, topic: name },
    prepare: () =>
      withAdmin(async (admin) => {
        await createReadyTopic(admin, name);
      }),
    // Messages in the topic (duplicates included): a consumer group join per poll would be too slow.
    count: () => withAdmin(async (admin) => Number((await admin.fetchTopicOffsets(name))[0]?.high ?? 0)),
    async arrivals() {
      const end = await withAdmin((admin) => admin.fetchTopicOffsets(name));
      const total = Number(end[0]?.high ?? 0);
      if (total === 0) return [];
      const out: Arrival[] = [];
      const consumer = kafka.consumer({ groupId: `${name}-${Date.now()}` });
      await consumer.connect();
      await consumer.subscribe({ topic: name, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              if (out.length < total) out.push(arrival(JSON.parse(String(message.value))));
              if (out.length >= total) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      return out;
    },
    ...localService('kafka'),
    cleanup: () =>
      withAdmin(async (admin) => {
        await admin.deleteTopics({ topics: [name] });
      }),
  };
}

/** A webhook endpoint in this process: stopping it drops its connections and refuses new ones. */
async function webhookTarget(name: string): Promise<OutageTarget> {
  const receiver = await startWebhookReceiver({ path: `/${name}` });
  return {
    kind: 'webhook',
    block: { enable: true, endpoint: receiver.endpoint, authToken: name },
    prepare: async () => {},
    arrivals: async () => receiver.received.map(({ message }) => arrival(message)),
    count: async () =>
      new Set(receiver.received.map(({ message }) => message.Records[0]?.s3.object.sequencer)).size,
    stopServer: () => receiver.stop(),
    startServer: () => receiver.start(),
    cleanup: () => receiver.close(),
  };
}

/**
 * The shared Mosquitto, read by a durable subscriber: its session (persisted by the broker) keeps
 * the subscription through a restart, and the broker queues what comes meanwhile.
 */
function mqttTarget(name: string): OutageTarget {
  const topic = `bucketevents/${name}`;
  let subscriber: MqttSubscriber | undefined;
  return {
    kind: 'mqtt',
    block: { enable: true, broker: endpoints.mqttUrl.replace(/^mqtt:/, 'tcp:'), topic, qos: 1 },
    async prepare() {
      subscriber = await startMqttSubscriber({ url: endpoints.mqttUrl, topic, durable: true });
    },
    arrivals: async () => (subscriber?.received ?? []).map(arrival),
    count: async () =>
      new Set((subscriber?.received ?? []).map((message) => message.Records[0]?.s3.object.sequencer)).size,
    ...localService('mosquitto'),
    cleanup: async () => {
      await subscriber?.close();
    },
  };
}

export async function outageTargets(uniqueName: (prefix: string) => string): Promise<OutageTarget[]> {
  return [
    amqpTarget(uniqueName('outage')),
    elasticsearchTarget(uniqueName('outage')),
    await redisTarget(uniqueName('outage')),
    natsTarget(uniqueName('outage')),
    postgresqlTarget(uniqueName('outage')),
    kafkaTarget(uniqueName('outage')),
    await webhookTarget(uniqueName('outage')),
    mqttTarget(uniqueName('outage')),
    mysqlTarget(uniqueName('outage')),
  ];
}

/** How many events a target holds: distinct ones where it is read in full (a restart may deliver some twice). */
export async function progressOf(target: OutageTarget): Promise<number> {
  if (target.count) return target.count();
  return new Set((await target.arrivals()).map((a) => a.sequencer)).size;
}
