// Where the local services listen: infra/local/services.env, overridden by the
// environment, parsed once so every fixture sees the same typed endpoints.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const SERVICES_ENV_FILE = fileURLToPath(new URL('../../../infra/local/services.env', import.meta.url));

const endpointsSchema = z.object({
  REDIS_URL: z.url(),
  REDIS_CLUSTER_URL: z.string().startsWith('redis-cluster://'),
  REDIS_SENTINEL_URL: z.string().startsWith('redis-sentinel://'),
  POSTGRES_URL: z.url(),
  AMQP_URL: z.url(),
  NATS_URL: z.url(),
  KAFKA_BROKERS: z.string().min(1),
  OPENSEARCH_URL: z.url(),
  ELASTICSEARCH7_URL: z.url(),
  MQTT_URL: z.url(),
  MYSQL_URL: z.url(),
});

export interface ServiceEndpoints {
  redisUrl: string;
  /** The local three-master Redis Cluster (`redis-cluster://…`), for the multi-node mode's queues. */
  redisClusterUrl: string;
  /** The local master and replica behind three Sentinels (`redis-sentinel://…/bucketevents`). */
  redisSentinelUrl: string;
  postgresUrl: string;
  amqpUrl: string;
  natsUrl: string;
  kafkaBrokers: string[];
  opensearchUrl: string;
  elasticsearch7Url: string;
  mqttUrl: string;
  mysqlUrl: string;
}

/** Parses `KEY=value` lines, skipping blanks and `#` comments. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) values[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return values;
}

export function loadServiceEndpoints(
  env: NodeJS.ProcessEnv = process.env,
  envFileText: string = readFileSync(SERVICES_ENV_FILE, 'utf8'),
): ServiceEndpoints {
  const merged = { ...parseEnvFile(envFileText), ...definedOnly(env) };
  const parsed = endpointsSchema.parse(merged);
  return {
    redisUrl: parsed.REDIS_URL,
    redisClusterUrl: parsed.REDIS_CLUSTER_URL,
    redisSentinelUrl: parsed.REDIS_SENTINEL_URL,
    postgresUrl: parsed.POSTGRES_URL,
    amqpUrl: parsed.AMQP_URL,
    natsUrl: parsed.NATS_URL,
    kafkaBrokers: parsed.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
    opensearchUrl: parsed.OPENSEARCH_URL,
    elasticsearch7Url: parsed.ELASTICSEARCH7_URL,
    mqttUrl: parsed.MQTT_URL,
    mysqlUrl: parsed.MYSQL_URL,
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
