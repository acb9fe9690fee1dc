// Benchmark readers: for each target kind, a consumer that notes when each
// event becomes readable there (by object key), pushing where the target can
// push (AMQP consumer, NATS subscription, Kafka consumer, Redis BLPOP + LPOP n) and
// polling where it cannot (PostgreSQL and MySQL every 10 ms, Elasticsearch every 25 ms: it refreshes every 50);
// the webhook's endpoint is in this process and notes each POST as it comes; an MQTT subscriber
// notes each message.
// Polling readers poll only while watched, and the Redis reader reads only then: the benchmark
// shares two cores with what it measures, and a search every 25 ms during another phase loaded
// the search server and the client.
import type { EventRecord, TargetKind } from '@bucket-events/contracts';
import { createSearchClient } from '@bucket-events/search-client';
import { noDelaySocketFactory } from '@bucket-events/target-kafka/socket';
import { startMqttSubscriber } from '@bucket-events/target-mqtt/subscriber';
import { startWebhookReceiver } from '@bucket-events/target-webhook/receiver';
import { connectAmqp, createReadyTopic, loadServiceEndpoints } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { connect as connectNats } from 'nats';
import pg from 'pg';

const endpoints = loadServiceEndpoints();

export interface ArrivalReader {
  /** When each key's first event became readable (ms since the epoch). */
  arrivals: Map<string, number>;
  /** Starts or stops looking (polling readers and Redis; the other push readers always look: they cost only when events come). */
  watch?(on: boolean): void;
  close(): Promise<void>;
}

export interface BenchTarget {
  kind: TargetKind;
  block: Record<string, unknown>;
  /** Creates what the target writes to and starts reading it. */
  open(): Promise<ArrivalReader>;
}

const keyOf = (document: { Records: EventRecord[] }) =>
  decodeURIComponent((document.Records[0] as EventRecord).s3.object.key);

/**
 * Runs `poll` over and over while watched; after a poll that returns true (nothing more waiting)
 * it pauses `gapMs` first.
 */
function pollWhileWatched(poll: () => Promise<boolean>, gapMs: number) {
  let open = true;
  let watched = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (open) {
      if (!watched) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (await poll()) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  })();
  const wakeUp = () => {
    wake?.();
    wake = undefined;
  };
  return {
    watch(on: boolean) {
      watched = on;
      wakeUp();
    },
    async stop() {
      open = false;
      wakeUp();
      await loop;
    },
  };
}

/** An access-format table polled every 10 ms while watched: `keys` reads every event's object key. */
function tableReader(table: { keys(): Promise<string[]>; close(): Promise<void> }): ArrivalReader {
  const arrivals = new Map<string, number>();
  const polling = pollWhileWatched(async () => {
    for (const key of await table.keys()) noteArrival(arrivals, decodeURIComponent(key));
    return true;
  }, 10);
  return {
    arrivals,
    watch: polling.watch,
    async close() {
      await polling.stop();
      await table.close();
    },
  };
}

function noteArrival(arrivals: Map<string, number>, key: string) {
  // The bench's own monotonic clock (sub-millisecond), the same the PUT answers are timed on.
  if (!arrivals.has(key)) arrivals.set(key, performance.now());
}

/** The benchmark's targets (those of `kinds`, default every one), each writing to `name`. */
export async function benchTargets(name: string, kinds?: TargetKind[]): Promise<BenchTarget[]> {
  const redisUrl = new URL(endpoints.redisUrl);
  const topic = `bucketevents/${name}`;
  const mysqlUrl = new URL(endpoints.mysqlUrl);
  const targets: BenchTarget[] = [
    {
      kind: 'mysql',
      block: {
        enable: true,
        dsnString: `${mysqlUrl.username}:${mysqlUrl.password}@tcp(${mysqlUrl.host})${mysqlUrl.pathname}`,
        table: name,
        format: 'access',
      },
      async open() {
        const connection = await mysql.createConnection({ uri: endpoints.mysqlUrl });
        return tableReader({
          keys: async () => {
            const [rows] = await connection
              .query(
                `select json_unquote(json_extract(event_data, '$.Records[0].s3.object.key')) as k from \`${name}\``,
              )
              .catch(() => [[]]);
            return (rows as { k: string }[]).map((row) => row.k);
          },
          close: async () => {
            await connection.query(`drop table if exists \`${name}\``);
            await connection.end();
          },
        });
      },
    },
    {
      kind: 'mqtt',
      block: { enable: true, broker: endpoints.mqttUrl.replace(/^mqtt:/, 'tcp:'), topic, qos: 1 },
      async open() {
        const arrivals = new Map<string, number>();
        // Durable: the drain phase stops the app, not the broker, but the subscriber must miss nothing.
        const subscriber = await startMqttSubscriber({
          url: endpoints.mqttUrl,
          topic,
          durable: true,
          keep: false,
          onMessage: (message) => noteArrival(arrivals, keyOf(message)),
        });
        return { arrivals, close: () => subscriber.close() };
      },
    },
    {
      kind: 'redis',
      block: { enable: true, address: `${redisUrl.hostname}:${redisUrl.port}`, key: name, format: 'access' },
      async open() {
        const arrivals = new Map<string, number>();
        const redis = new Redis(endpoints.redisUrl);
        let open = true;
        let watched = false;
        const loop = (async () => {
          while (open) {
            if (!watched) {
              // Not read outside the latency phases (parsing every event of the throughput phase
              // took a sixth of the client's CPU), only emptied, so the list does not grow.
              await new Promise((resolve) => setTimeout(resolve, 250));
              if (!watched) await redis.del(name).catch(() => {});
              continue;
            }
            const popped = await redis.blpop(name, 0.2).catch(() => null);
            if (!popped) continue;
            noteArrival(arrivals, keyOf(JSON.parse(popped[1])));
            // Whatever else arrived meanwhile, in one round trip: one pop each would fall behind.
            for (const element of (await redis.lpop(name, 1000).catch(() => null)) ?? [])
              noteArrival(arrivals, keyOf(JSON.parse(element)));
          }
        })();
        return {
          arrivals,
          watch(on: boolean) {
            watched = on;
          },
          async close() {
            open = false;
            await loop;
            await redis.del(name);
            redis.disconnect();
          },
        };
      },
    },
    {
      kind: 'nats',
      block: { enable: true, address: new URL(endpoints.natsUrl).host, subject: name },
      async open() {
        const arrivals = new Map<string, number>();
        const connection = await connectNats({ servers: endpoints.natsUrl });
        connection.subscribe(name, {
          callback: (_error, message) => noteArrival(arrivals, keyOf(message.json())),
        });
        await connection.flush();
        return { arrivals, close: () => connection.drain() };
      },
    },
    {
      kind: 'kafka',
      block: { enable: true, brokers: endpoints.kafkaBrokers, topic: name },
      async open() {
        const arrivals = new Map<string, number>();
        const kafka = new Kafka({
          clientId: 'bench',
          brokers: endpoints.kafkaBrokers,
          socketFactory: noDelaySocketFactory,
          logLevel: logLevel.NOTHING,
        });
        const admin = kafka.admin();
        await admin.connect();
        await createReadyTopic(admin, name);
        const consumer = kafka.consumer({
          groupId: `${name}-bench`,
          // The broker answers a fetch as soon as one message is there (minBytes 1): a short wait
          // only makes the consumer ask 200 times a second, which kept Kafka's JVM busy.
          maxWaitTimeInMs: 100,
        });
        await consumer.connect();
        await consumer.subscribe({ topic: name, fromBeginning: true });
        await consumer.run({
          // A group of its own, read from the beginning: committing offsets would only add requests.
          autoCommit: false,
          eachMessage: async ({ message }) => noteArrival(arrivals, keyOf(JSON.parse(String(message.value)))),
        });
        return {
          arrivals,
          async close() {
            await consumer.disconnect();
            await admin.deleteTopics({ topics: [name] }).catch(() => {});
            await admin.disconnect();
          },
        };
      },
    },
    {
      kind: 'amqp',
      block: { enable: true, url: endpoints.amqpUrl, exchange: name, exchangeType: 'fanout' },
      async open() {
        const arrivals = new Map<string, number>();
        const connection = await connectAmqp(endpoints.amqpUrl);
        const channel = await connection.createChannel();
        await channel.assertExchange(name, 'fanout', { durable: false });
        const { queue } = await channel.assertQueue('', { exclusive: true });
        await channel.bindQueue(queue, name, '');
        await channel.consume(
          queue,
          (message) => message && noteArrival(arrivals, keyOf(JSON.parse(message.content.toString()))),
          {
            noAck: true,
          },
        );
        return {
          arrivals,
          async close() {
            await channel.deleteExchange(name).catch(() => {});
            await connection.close();
          },
        };
      },
    },
    {
      kind: 'postgresql',
      block: { enable: true, connectionString: endpoints.postgresUrl, table: name, format: 'access' },
      async open() {
        const client = new pg.Client({ connectionString: endpoints.postgresUrl });
        await client.connect();
        return tableReader({
          keys: async () => {
            const exists = await client.query('select to_regclass($1) as t', [name]);
            if (exists.rows[0].t === null) return [];
            // Every key each time: an OFFSET without an order skipped rows (it undercounted).
            const rows = await client.query<{ key: string }>(
              `select event_data->'Records'->0->'s3'->'object'->>'key' as key from ${name}`,
            );
            return rows.rows.map((row) => row.key);
          },
          close: async () => {
            await client.query(`drop table if exists ${name}`);
            await client.end();
          },
        });
      },
    },
    {
      kind: 'elasticsearch',
      block: { enable: true, url: endpoints.opensearchUrl, index: name, format: 'access' },
      async open() {
        const arrivals = new Map<string, number>();
        const client = createSearchClient({ url: endpoints.opensearchUrl, compatibility: 'opensearch' });
        // The target app may have created the index already (it does when it starts first).
        await client.indices
          .create({ index: name, settings: { number_of_shards: 1 } })
          .catch((error: { meta?: { body?: { error?: { type?: string } } } }) => {
            if (error.meta?.body?.error?.type !== 'resource_already_exists_exception') throw error;
          });
        await client.indices.putSettings({ index: name, settings: { refresh_interval: '50ms' } });
        let after = -1;
        const polling = pollWhileWatched(async () => {
          const result = await client
            .search<{ Records: EventRecord[] }>({
              index: name,
              size: 1000,
              sort: [{ _seq_no: { order: 'asc', unmapped_type: 'long' } }],
              ...(after >= 0 ? { search_after: [after] } : {}),
            })
            .catch(() => undefined);
          for (const hit of result?.hits.hits ?? []) {
            after = Math.max(after, Number(hit.sort?.[0] ?? after));
            noteArrival(arrivals, keyOf(hit._source as { Records: EventRecord[] }));
          }
          // Documents become searchable at each refresh (50 ms): polling faster only loads the server.
          return (result?.hits.hits.length ?? 0) < 1000;
        }, 25);
        return {
          arrivals,
          watch: polling.watch,
          async close() {
            await polling.stop();
            await client.indices.delete({ index: name, ignore_unavailable: true });
            await client.close();
          },
        };
      },
    },
  ];
  // The webhook's endpoint listens in this process from now, so only when it is asked for.
  if (!kinds || kinds.includes('webhook')) targets.push(await webhookTarget(name));
  return kinds ? targets.filter((target) => kinds.includes(target.kind)) : targets;
}

async function webhookTarget(name: string): Promise<BenchTarget> {
  let onEvent: ((key: string) => void) | undefined;
  const endpoint = await startWebhookReceiver({
    path: `/${name}`,
    keep: false,
    onReceived: (message) => onEvent?.(keyOf(message)),
  });
  return {
    kind: 'webhook',
    block: { enable: true, endpoint: endpoint.endpoint },
    async open() {
      const arrivals = new Map<string, number>();
      onEvent = (key) => noteArrival(arrivals, key);
      return { arrivals, close: () => endpoint.close() };
    },
  };
}
