// The seed's six target blocks, pointed at the local services, and for each a
// reader that looks at the target the way the seed's step 3 does: a queue bound
// to the fanout exchange, `_search` on the index, the Redis list or hash, a NATS
// subscription, `select * from bucketevents`, a Kafka consumer on the topic —
// MinIO's webhook, POSTing to an endpoint this process listens on, and a
// subscriber on the MQTT topic, and `select * from` MySQL's (MariaDB's) table.
import type { EventRecord, TargetKind } from '@bucket-events/contracts';
import { createSearchClient } from '@bucket-events/search-client';
import { startMqttSubscriber } from '@bucket-events/target-mqtt/subscriber';
import { startWebhookReceiver, type WebhookReceiver } from '@bucket-events/target-webhook/receiver';
import { connectAmqp, createReadyTopic, eventually, loadServiceEndpoints } from '@bucket-events/testing';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { connect as connectNats } from 'nats';
import pg from 'pg';

const endpoints = loadServiceEndpoints();

/** What a reader sees: every event in arrival order (access-style targets), or the current view per object. */
export type Observation =
  | { kind: 'events'; events: EventRecord[] }
  | { kind: 'view'; view: Map<string, EventRecord> };

export interface Reader {
  observe(): Promise<Observation>;
  close(): Promise<void>;
}

export interface SeedTarget {
  /** e.g. `amqp` or `redis (namespace)`. */
  title: string;
  kind: TargetKind;
  id: string;
  /**
   * The config.json block, as the seed writes it: its own blocks verbatim but for addresses and
   * credentials (no `format`: the default must do what the seed shows), `format` on the extra ones.
   */
  readonly block: Record<string, unknown>;
  /** Starts what the block points at, when the test runs it (read `block` after this). */
  prepare?(): Promise<void>;
  /** Starts looking before the first upload (subscriptions and consumers must exist first). */
  read(): Promise<Reader>;
}

const firstRecord = (document: { Records: EventRecord[] }) => document.Records[0] as EventRecord;
const events = (list: EventRecord[]): Observation => ({ kind: 'events', events: list });
const view = (entries: [string, EventRecord][]): Observation => ({ kind: 'view', view: new Map(entries) });

function amqpTarget(name: string): SeedTarget {
  return {
    title: 'amqp',
    kind: 'amqp',
    id: '1',
    block: {
      enable: true,
      url: endpoints.amqpUrl,
      exchange: name,
      routingKey: 'bucketlogs',
      exchangeType: 'fanout',
      mandatory: false,
      immediate: false,
      durable: false,
      internal: false,
      noWait: false,
      autoDeleted: false,
    },
    async read() {
      // The seed's consumer: declare the fanout exchange, bind an exclusive queue, consume.
      const connection = await connectAmqp(endpoints.amqpUrl);
      const channel = await connection.createChannel();
      await channel.assertExchange(name, 'fanout', { durable: false });
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, name, '');
      const seen: EventRecord[] = [];
      await channel.consume(
        queue,
        (message) => {
          if (message) seen.push(firstRecord(JSON.parse(message.content.toString())));
        },
        { noAck: true },
      );
      return {
        observe: async () => events([...seen]),
        close: async () => {
          await channel.deleteExchange(name).catch(() => {});
          await connection.close();
        },
      };
    },
  };
}

function elasticsearchTarget(name: string, format: 'access' | 'namespace'): SeedTarget {
  return {
    title: `elasticsearch (${format}, OpenSearch)`,
    kind: 'elasticsearch',
    id: format === 'access' ? '1' : 'namespace',
    // The seed's block has no `format`; its output (an auto id per event) is the access format.
    block: {
      enable: true,
      url: endpoints.opensearchUrl,
      index: name,
      ...(format === 'access' ? {} : { format }),
    },
    async read() {
      const client = createSearchClient({ url: endpoints.opensearchUrl, compatibility: 'opensearch' });
      return {
        async observe() {
          if (!(await client.indices.exists({ index: name })))
            return format === 'access' ? events([]) : view([]);
          await client.indices.refresh({ index: name });
          const result = await client.search<{ Records: EventRecord[] }>({
            index: name,
            size: 1000,
            sort: [{ _seq_no: { order: 'asc', unmapped_type: 'long' } }],
          });
          const hits = result.hits.hits;
          if (format === 'access') return events(hits.map((hit) => firstRecord(hit._source as never)));
          return view(hits.map((hit) => [hit._id as string, firstRecord(hit._source as never)]));
        },
        close: async () => {
          await client.indices.delete({ index: name, ignore_unavailable: true });
          await client.close();
        },
      };
    },
  };
}

function redisTarget(name: string, format: 'access' | 'namespace'): SeedTarget {
  const { hostname, port } = new URL(endpoints.redisUrl);
  return {
    title: `redis (${format})`,
    kind: 'redis',
    id: format === 'access' ? '1' : 'namespace',
    // The seed's block has no `format`; its output (RPUSH) is the access format.
    block: {
      enable: true,
      address: `${hostname}:${port}`,
      password: '',
      key: name,
      ...(format === 'access' ? {} : { format }),
    },
    async read() {
      const redis = new Redis(endpoints.redisUrl);
      return {
        async observe() {
          if (format === 'access') {
            return events((await redis.lrange(name, 0, -1)).map((item) => firstRecord(JSON.parse(item))));
          }
          const hash = await redis.hgetall(name);
          return view(Object.entries(hash).map(([field, value]) => [field, firstRecord(JSON.parse(value))]));
        },
        close: async () => {
          await redis.del(name, `${name}:sequencers`);
          await redis.quit();
        },
      };
    },
  };
}

function natsTarget(name: string): SeedTarget {
  return {
    title: 'nats',
    kind: 'nats',
    id: '1',
    block: {
      enable: true,
      address: new URL(endpoints.natsUrl).host,
      subject: name,
      username: '',
      password: '',
      token: '',
      secure: false,
      pingInterval: 0,
    },
    async read() {
      const connection = await connectNats({ servers: endpoints.natsUrl });
      const seen: EventRecord[] = [];
      const subscription = connection.subscribe(name, {
        callback: (_error, message) => seen.push(firstRecord(message.json())),
      });
      await connection.flush(); // the subscription is registered before the first upload
      return {
        observe: async () => events([...seen]),
        close: async () => {
          subscription.unsubscribe();
          await connection.drain();
        },
      };
    },
  };
}

function postgresqlTarget(name: string, format: 'access' | 'namespace'): SeedTarget {
  const url = new URL(endpoints.postgresUrl);
  return {
    title: `postgresql (${format})`,
    kind: 'postgresql',
    id: format === 'namespace' ? '1' : 'access',
    block: {
      enable: true,
      connectionString: '',
      table: name,
      format,
      host: url.hostname,
      port: url.port,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
    },
    async read() {
      const client = new pg.Client({ connectionString: endpoints.postgresUrl });
      await client.connect();
      return {
        async observe() {
          const exists = await client.query('select to_regclass($1) as t', [name]);
          if (exists.rows[0].t === null) return format === 'access' ? events([]) : view([]);
          if (format === 'access') {
            const rows = await client.query(`select * from ${name} order by event_time`);
            return events(rows.rows.map((row) => firstRecord(row.event_data)));
          }
          const rows = await client.query(`select * from ${name}`);
          return view(rows.rows.map((row) => [row.key as string, firstRecord(row.value)]));
        },
        close: async () => {
          // The app may still be writing (the test's clean-up deletes make NoOP events, which a
          // namespace view applies to both tables): a deadlock with that write is retried.
          for (let attempt = 1; ; attempt++) {
            try {
              await client.query(`drop table if exists ${name}, ${name}_sequencers`);
              break;
            } catch (error) {
              if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
              await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
            }
          }
          await client.end();
        },
      };
    },
  };
}

function kafkaTarget(name: string): SeedTarget {
  return {
    title: 'kafka',
    kind: 'kafka',
    id: '1',
    block: { enable: true, brokers: endpoints.kafkaBrokers, topic: name },
    async read() {
      const kafka = new Kafka({
        clientId: 'e2e-reader',
        brokers: endpoints.kafkaBrokers,
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      await createReadyTopic(admin, name);
      const consumer = kafka.consumer({ groupId: `${name}-reader` });
      await consumer.connect();
      await consumer.subscribe({ topic: name, fromBeginning: true });
      const seen: EventRecord[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(firstRecord(JSON.parse(String(message.value))));
        },
      });
      return {
        observe: async () => events([...seen]),
        close: async () => {
          await consumer.disconnect();
          await admin.deleteTopics({ topics: [name] }).catch(() => {});
          await admin.disconnect();
        },
      };
    },
  };
}

function webhookTarget(name: string): SeedTarget {
  let receiver: WebhookReceiver | undefined;
  const started = () => {
    if (!receiver) throw new Error('the webhook endpoint is not started: call prepare() first');
    return receiver;
  };
  return {
    title: 'webhook',
    kind: 'webhook',
    id: '1',
    get block() {
      return { enable: true, endpoint: started().endpoint };
    },
    async prepare() {
      receiver ??= await startWebhookReceiver({ path: `/${name}` });
    },
    async read() {
      const endpoint = started();
      const from = endpoint.received.length;
      return {
        observe: async () => events(endpoint.received.slice(from).map(({ message }) => firstRecord(message))),
        close: async () => {},
      };
    },
  };
}

function mqttTarget(name: string): SeedTarget {
  const topic = `bucketevents/${name}`;
  return {
    title: 'mqtt',
    kind: 'mqtt',
    id: '1',
    // MinIO's keys; QoS 1, so the broker confirms each event.
    block: { enable: true, broker: endpoints.mqttUrl.replace(/^mqtt:/, 'tcp:'), topic, qos: 1 },
    async read() {
      const subscriber = await startMqttSubscriber({ url: endpoints.mqttUrl, topic });
      return {
        observe: async () => events(subscriber.received.map(firstRecord)),
        close: () => subscriber.close(),
      };
    },
  };
}

function mysqlTarget(name: string, format: 'access' | 'namespace'): SeedTarget {
  const url = new URL(endpoints.mysqlUrl);
  const parse = (value: unknown) =>
    (typeof value === 'string' ? JSON.parse(value) : value) as { Records: EventRecord[] };
  return {
    title: `mysql (${format})`,
    kind: 'mysql',
    id: format === 'namespace' ? '1' : 'access',
    // MinIO's DSN.
    block: {
      enable: true,
      dsnString: `${url.username}:${url.password}@tcp(${url.host})${url.pathname}`,
      table: name,
      format,
    },
    async read() {
      const connection = await mysql.createConnection({ uri: endpoints.mysqlUrl });
      return {
        async observe() {
          const [tables] = await connection.query(
            'select count(*) as n from information_schema.tables where table_schema = database() and table_name = ?',
            [name],
          );
          if (Number((tables as { n: number }[])[0]?.n ?? 0) === 0)
            return format === 'access' ? events([]) : view([]);
          if (format === 'access') {
            const [rows] = await connection.query(`select event_data from \`${name}\``);
            return events(
              (rows as { event_data: unknown }[]).map((row) => firstRecord(parse(row.event_data))),
            );
          }
          const [rows] = await connection.query(`select key_name, value from \`${name}\``);
          return view(
            (rows as { key_name: string; value: unknown }[]).map((row) => [
              row.key_name,
              firstRecord(parse(row.value)),
            ]),
          );
        },
        close: async () => {
          await connection.query(`drop table if exists \`${name}\`, \`${name}_sequencers\``);
          await connection.end();
        },
      };
    },
  };
}

/** The seed's targets, each with a unique name (exchange, index, key, subject, table, topic) for this run. */
export function seedTargets(uniqueName: (prefix: string) => string): SeedTarget[] {
  return [
    amqpTarget(uniqueName('bucketevents')),
    elasticsearchTarget(uniqueName('bucketevents'), 'access'),
    elasticsearchTarget(uniqueName('bucketevents'), 'namespace'),
    redisTarget(uniqueName('bucketevents'), 'access'),
    redisTarget(uniqueName('bucketevents'), 'namespace'),
    natsTarget(uniqueName('bucketevents')),
    postgresqlTarget(uniqueName('bucketevents'), 'namespace'),
    postgresqlTarget(uniqueName('bucketevents'), 'access'),
    kafkaTarget(uniqueName('bucketevents')),
    webhookTarget(uniqueName('bucketevents')),
    mqttTarget(uniqueName('bucketevents')),
    mysqlTarget(uniqueName('bucketevents'), 'namespace'),
    mysqlTarget(uniqueName('bucketevents'), 'access'),
  ];
}

/** Starts what each target's block points at, where the test runs it. */
export async function prepareTargets(targets: SeedTarget[]): Promise<void> {
  for (const target of targets) await target.prepare?.();
}

/** The config.json document with every given target block under `notify`. */
export function configDocument(targets: SeedTarget[]): object {
  const notify: Record<string, Record<string, unknown>> = {};
  for (const target of targets) {
    notify[target.kind] ??= {};
    (notify[target.kind] as Record<string, unknown>)[target.id] = target.block;
  }
  return { version: '1', region: 'us-east-1', notify };
}

/** Waits until an access-style target holds at least `count` events of `bucket`; returns them in arrival order. */
export function bucketEvents(
  reader: Reader,
  bucket: string,
  count: number,
  what: string,
): Promise<EventRecord[]> {
  return eventually(
    async () => {
      const observation = await reader.observe();
      if (observation.kind !== 'events') throw new Error('expected an access-style target');
      const mine = observation.events.filter((record) => record.s3.bucket.name === bucket);
      return mine.length >= count ? mine : undefined;
    },
    { what: `${count} events at ${what}`, timeoutMs: 60_000, intervalMs: 200 },
  );
}
