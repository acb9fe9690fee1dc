// The target registry: every kind of notification target, its ARN, and the
// names of its queues. Adding a kind here makes the type checker point at every
// place that must handle it.
export const TARGET_KINDS = [
  'amqp',
  'elasticsearch',
  'redis',
  'nats',
  'postgresql',
  'kafka',
  'webhook',
  'mqtt',
  'mysql',
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export function isTargetKind(value: string): value is TargetKind {
  return (TARGET_KINDS as readonly string[]).includes(value);
}

export const DEFAULT_REGION = 'us-east-1';

/** A configured target: `<id>:<kind>` is its identity; the ARN adds the region. */
export interface TargetId {
  id: string;
  kind: TargetKind;
}

export function targetArn(target: TargetId, region: string): string {
  return `arn:minio:sqs:${region}:${target.id}:${target.kind}`;
}

export interface ParsedArn {
  region: string;
  id: string;
  /** The ARN's type token; not necessarily a kind this server knows. */
  type: string;
}

/** Parses `arn:minio:sqs:<region>:<id>:<type>` as MinIO does: exactly six tokens, id and type non-empty. */
export function parseArn(arn: string): ParsedArn | undefined {
  const tokens = arn.split(':');
  if (tokens.length !== 6) return undefined;
  const [scheme, partition, service, region, id, type] = tokens as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (scheme !== 'arn' || partition !== 'minio' || service !== 'sqs') return undefined;
  if (id === '' || type === '') return undefined;
  return { region, id, type };
}

export const MUTATIONS_QUEUE = 'mutations';

/**
 * How long a completed job's id is kept (`removeOnComplete`), so that adding the same job id again
 * is a no-op: the relay repeating a round after a crash, the router repeating a fan-out. Those
 * repeat the newest jobs, so the newest ids are what must stay; a repeat older than both limits
 * is delivered again (at least once). Only the id stays: the consumer drops a completed job's
 * data, and the count bounds Redis's memory under any sustained load (at the former 24 h, with the
 * data, it grew ~1.4 KB per PUT for a day).
 */
export const COMPLETED_JOB_RETENTION = { age: 3600, count: 10_000 } as const;

/**
 * The same for each partition of a target queue: a router repeats at most the few batches it had
 * in flight, so a thousand ids per partition is ample, and with 16 partitions the target's total
 * stays near the single queue's 10,000 (at 10,000 each it would be 160,000 markers per target).
 */
export const PARTITION_COMPLETED_JOB_RETENTION = { age: 3600, count: 1000 } as const;

export function targetQueueName(target: TargetId): string {
  return `target.${target.kind}.${target.id}`;
}

export function deadLetterQueueName(target: TargetId): string {
  return `${targetQueueName(target)}.dead`;
}

/** Redis key (under the queue prefix) where a bucket's notification rules at one version are published. */
export function notificationConfigKey(prefix: string, bucket: string, version: number): string {
  return `${prefix}:config:${bucket}:${version}`;
}

/** Redis pub/sub channel on which ingest publishes every relayed mutation, for live listeners. */
export function liveMutationsChannel(prefix: string): string {
  return `${prefix}:live:mutations`;
}

/** Every process of the product: ingest, the router and one app per target kind. */
export type ProcessName = 'ingest' | 'router' | TargetKind;

/** The app (folder under `apps/`, and `service` label of its metrics) of each process: a kind's is `target-<kind>`. */
export function appName(process: ProcessName): string {
  return process === 'ingest' || process === 'router' ? process : `target-${process}`;
}

/** The first metrics port of the target apps, one per kind in TARGET_KINDS order. */
const FIRST_TARGET_METRICS_PORT = 9101;
/** The router's, taken when there were six kinds: kinds after the sixth step over it. */
const ROUTER_METRICS_PORT = 9107;

/**
 * Default port of each process's /metrics, /healthz and /readyz, so that all of them run side by
 * side on one machine (`BUCKET_EVENTS_METRICS_PORT` moves one; 0 turns it off). A target kind's
 * port follows from its place in TARGET_KINDS, so a new kind needs no entry here.
 */
export const DEFAULT_METRICS_PORTS = {
  ingest: 9100,
  router: ROUTER_METRICS_PORT,
  ...Object.fromEntries(
    TARGET_KINDS.map((kind, index) => {
      const port = FIRST_TARGET_METRICS_PORT + index;
      return [kind, port >= ROUTER_METRICS_PORT ? port + 1 : port];
    }),
  ),
} as Record<ProcessName, number>;

/** The hash of the routers' heartbeats (field = router process), read by the status page. */
export function routerHeartbeatKey(prefix: string): string {
  return `${prefix}:status:router`;
}

/** What each router process reports every second. */
export interface RouterHeartbeat {
  instance: string;
  /** This process holds the leader lock and routes; the others stand by. */
  leader: boolean;
  /** Mutation records routed since the process started. */
  routed: number;
  /** Commit → fan-out of the latest routed batch's newest record, in seconds (0 before any). */
  lagSeconds: number;
  updatedAt: string;
}
