// One connect function per real service, each proving the connection with a
// round trip before returning and reporting failure as ServiceUnavailableError.
import {
  createSearchClient,
  type SearchClient,
  type SearchCompatibility,
} from '@bucket-events/search-client';
import * as amqp from 'amqplib';
import { Redis } from 'ioredis';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { connect as connectNats, type NatsConnection } from 'nats';
import pg from 'pg';
import { connectOrExplain } from './availability.ts';

export async function connectRedis(url: string): Promise<Redis> {
  return connectOrExplain('redis', url, async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => {}); // failures reach the caller through connect() and each command
    try {
      await client.connect();
      await client.ping();
      return client;
    } catch (error) {
      client.disconnect();
      throw error;
    }
  });
}

export async function connectPostgres(url: string, options: pg.PoolConfig = {}): Promise<pg.Pool> {
  return connectOrExplain('postgres', url, async () => {
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 3_000, ...options });
    pool.on('error', () => {}); // idle-client errors surface on the next query instead
    try {
      await pool.query('select 1');
      return pool;
    } catch (error) {
      await pool.end();
      throw error;
    }
  });
}

export async function connectAmqp(url: string): Promise<amqp.ChannelModel> {
  return connectOrExplain('rabbitmq', redactUrl(url), async () => {
    const connection = await amqp.connect(url, { timeout: 3_000, noDelay: true });
    connection.on('error', () => {}); // a broker-side close is seen by the test's own assertions
    return connection;
  });
}

export async function connectNatsServer(url: string): Promise<NatsConnection> {
  return connectOrExplain('nats', url, async () => {
    const connection = await connectNats({ servers: url, timeout: 3_000, reconnect: false });
    await connection.flush();
    return connection;
  });
}

export interface KafkaHandles {
  kafka: Kafka;
  admin: Admin;
}

export async function connectKafka(brokers: string[]): Promise<KafkaHandles> {
  return connectOrExplain('kafka', brokers.join(','), async () => {
    const kafka = new Kafka({
      clientId: 'bucket-events-tests',
      brokers,
      connectionTimeout: 3_000,
      retry: { retries: 2 },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.describeCluster();
    return { kafka, admin };
  });
}

export async function connectSearch(
  service: 'opensearch' | 'elasticsearch7',
  url: string,
): Promise<SearchClient> {
  const compatibility: SearchCompatibility = service;
  return connectOrExplain(service, url, async () => {
    const client = createSearchClient({ url, compatibility, requestTimeoutMs: 5_000 });
    await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
    return client;
  });
}

/** Hides the password in a URL meant for a message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
