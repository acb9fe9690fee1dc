// A target's queue is split into ordered partitions: every event of one object
// key goes to the same partition, chosen by a stable hash that other tools can
// compute too (README, "Scaling a target"). The processes of one target share
// the partitions by lease (packages/queue, PartitionGroup), so per-key order
// holds however many processes run.

/** Partitions per target unless its config block says otherwise (`partitions`). */
export const DEFAULT_TARGET_PARTITIONS = 16;
/** The most partitions a target may have. */
export const MAX_TARGET_PARTITIONS = 1024;

/**
 * The layout a target's queues are in: P > 0 means P partitions `target.<kind>.<id>.p<n>`;
 * 0 means the single queue `target.<kind>.<id>` of releases before partitions (kept until its
 * backlog drained, so an upgrade reorders nothing).
 */
export type PartitionLayout = number;

const utf8 = new TextEncoder();

/** 32-bit FNV-1a of the UTF-8 bytes of `<bucket>/<key>`. */
export function keyHash(bucket: string, key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(`${bucket}/${key}`)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The partition an object key's events go to: FNV-1a-32(`<bucket>/<key>`) mod P. */
export function partitionOf(bucket: string, key: string, partitions: number): number {
  return partitions <= 1 ? 0 : keyHash(bucket, key) % partitions;
}

/** `base`: the target's queue name, `target.<kind>.<id>` (targetQueueName). */
export function partitionQueueName(base: string, partition: number): string {
  return `${base}.p${partition}`;
}

/** The queues of a layout, partition 0 first. */
export function layoutQueueNames(base: string, layout: PartitionLayout): string[] {
  if (layout === 0) return [base];
  return Array.from({ length: layout }, (_, n) => partitionQueueName(base, n));
}

/** The queue an object key's events go to under a layout. */
export function queueForKey(base: string, layout: PartitionLayout, bucket: string, key: string): string {
  return layout === 0 ? base : partitionQueueName(base, partitionOf(bucket, key, layout));
}

/**
 * The layout a target's layout key holds (`GET` of partitionKeys().layout); a target no router or
 * process has touched yet has the default.
 */
export function storedLayout(value: string | null): PartitionLayout {
  return value === null ? DEFAULT_TARGET_PARTITIONS : Number(value);
}

/**
 * Redis keys (under the queue prefix) of a target's partitions: its current layout (written by
 * the router), its consumer group's live members (zset of lease expiry) and partition owners (hash).
 */
export function partitionKeys(
  prefix: string,
  base: string,
): { layout: string; members: string; owners: string } {
  return {
    layout: `${prefix}:${base}:layout`,
    members: `${prefix}:${base}:group:members`,
    owners: `${prefix}:${base}:group:owners`,
  };
}
