// Every Redis connection the product opens for its queues, heartbeats and
// published rules, on one server (`redis://…`, `rediss://…`), on a Redis
// Cluster (`redis-cluster://[user:password@]host:port[,host:port…]`, any of its
// nodes: the client finds the others), or on a master that Redis Sentinel fails
// over (`redis-sentinel://[user:password@]host:port[,host:port…]/<master name>`:
// the sentinels' addresses; the credentials are the master's).
//
// On a cluster every key of a deployment carries the same hash tag (the queue
// prefix inside braces, `{bull}:…`), so all of them live in one slot: BullMQ's
// scripts, the project's own (which take from several partitions' queues at once)
// and every MULTI touch only keys of that slot, as the cluster requires. The
// cluster then gives failover of that slot's master to its replica, not sharding.
import type { ConnectionOptions } from 'bullmq';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

const CLUSTER_SCHEME = 'redis-cluster:';
const SENTINEL_SCHEME = 'redis-sentinel:';

export const isClusterUrl = (url: string): boolean => url.startsWith(`${CLUSTER_SCHEME}//`);
export const isSentinelUrl = (url: string): boolean => url.startsWith(`${SENTINEL_SCHEME}//`);

export interface ClusterAddress {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
}

/** `redis-cluster://[user:password@]host:port[,host:port…]` */
export function parseClusterUrl(url: string): ClusterAddress {
  if (!isClusterUrl(url)) throw new Error(`not a redis-cluster:// URL: ${url}`);
  return parseNodes(url, url.slice(CLUSTER_SCHEME.length + 2).replace(/\/.*$/, ''));
}

export interface SentinelAddress extends ClusterAddress {
  /** The name the sentinels monitor the master by. */
  name: string;
}

/** `redis-sentinel://[user:password@]host:port[,host:port…]/<master name>` (the sentinels; default name `mymaster`). */
export function parseSentinelUrl(url: string): SentinelAddress {
  if (!isSentinelUrl(url)) throw new Error(`not a redis-sentinel:// URL: ${url}`);
  const rest = url.slice(SENTINEL_SCHEME.length + 2);
  const slash = rest.indexOf('/');
  const name = slash >= 0 ? decodeURIComponent(rest.slice(slash + 1)) : '';
  return { ...parseNodes(url, slash >= 0 ? rest.slice(0, slash) : rest), name: name || 'mymaster' };
}

/** `[user:password@]host:port[,host:port…]` of a multi-node URL. */
function parseNodes(url: string, rest: string): ClusterAddress {
  const at = rest.lastIndexOf('@');
  const credentials = at >= 0 ? rest.slice(0, at) : '';
  const hosts = at >= 0 ? rest.slice(at + 1) : rest;
  const nodes = hosts
    .split(',')
    .filter((host) => host !== '')
    .map((host) => {
      const colon = host.lastIndexOf(':');
      const port = colon >= 0 ? Number(host.slice(colon + 1)) : 6379;
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port in ${url}`);
      return { host: colon >= 0 ? host.slice(0, colon) : host, port };
    });
  if (nodes.length === 0) throw new Error(`no node in ${url}`);
  const [user, password] = credentials.includes(':')
    ? [credentials.slice(0, credentials.indexOf(':')), credentials.slice(credentials.indexOf(':') + 1)]
    : ['', credentials];
  return {
    nodes,
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
  };
}

/** Options that belong to the cluster client itself, not to each node's connection. */
const CLUSTER_LEVEL = ['lazyConnect', 'enableOfflineQueue', 'enableAutoPipelining'] as const;

/**
 * A client for `url`. On a cluster it is ioredis's Cluster, which speaks the same commands (the
 * keys of one call always share the deployment's slot); it is typed as a Redis so that code
 * taking a client need not know which.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  if (isSentinelUrl(url)) {
    const { nodes, name, username, password } = parseSentinelUrl(url);
    return new Redis({
      ...options,
      sentinels: nodes,
      name,
      username,
      password,
      // After a failover the old master answers writes with READONLY until the client asks the
      // sentinels again: reconnecting does that, and the command is sent again to the new master.
      reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    });
  }
  if (!isClusterUrl(url)) return new Redis(url, options);
  const { nodes, username, password } = parseClusterUrl(url);
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...options, username, password },
    // A master that went away is retried; its replica's promotion shows as a MOVED the client follows.
    clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
  };
  for (const key of CLUSTER_LEVEL)
    if (options[key] !== undefined) Object.assign(clusterOptions, { [key]: options[key] });
  return new Cluster(nodes, clusterOptions) as unknown as Redis;
}

/**
 * BullMQ's `connection` for `url`: connection options on one server (BullMQ opens and closes the
 * connection), a client of ours on a cluster (BullMQ takes only instances of it), which `release`
 * closes after the queue's own close.
 */
export function bullConnection(
  url: string,
  options: RedisOptions = {},
): { connection: ConnectionOptions; release(): void } {
  // A connection of ours where BullMQ cannot make one from a URL (a cluster, sentinels).
  if (!isClusterUrl(url) && !isSentinelUrl(url))
    return { connection: { url, ...options } as ConnectionOptions, release: () => {} };
  const client = createRedis(url, options);
  return { connection: client as unknown as Cluster, release: () => client.disconnect() };
}

/**
 * The key prefix of every queue and key of a deployment: on a cluster it must be a hash tag, so a
 * prefix without one is wrapped in braces (`bull` → `{bull}`); on one server it stays as given.
 */
export function deploymentPrefix(redisUrl: string, prefix: string): string {
  if (!isClusterUrl(redisUrl) || /\{[^}]+\}/.test(prefix)) return prefix;
  return `{${prefix}}`;
}

/** The master (`host`, `port`) that holds `key`'s slot: with one hash tag per deployment, where all its keys live. */
export async function clusterMasterOf(
  clusterUrl: string,
  key: string,
): Promise<{ host: string; port: number }> {
  const cluster = createRedis(clusterUrl);
  try {
    const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
    const ranges = (await cluster.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master holds slot ${slot}`);
    const [host, port] = range[2];
    return { host, port };
  } finally {
    cluster.disconnect();
  }
}
