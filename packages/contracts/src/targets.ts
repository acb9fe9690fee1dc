// The target registry: every kind of notification target, its ARN, and the
// names of its queues. Adding a kind here makes the type checker point at every
// place that must handle it.
export const TARGET_KINDS = ['amqp', 'elasticsearch', 'redis', 'nats', 'postgresql', 'kafka'] as const;
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
