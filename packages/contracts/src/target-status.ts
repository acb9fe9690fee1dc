// What the admin API answers for each target (`GET /minio/admin/v3/targets`),
// read by the CLI's `admin targets` and the status page; produced by the
// target kit's TargetStatusReader.

export type TargetState = 'online' | 'offline' | 'no-process';

export interface TargetStatus {
  arn: string;
  kind: string;
  id: string;
  /** online: some process reaches the target; offline: processes run but cannot; no-process: none runs. */
  state: TargetState;
  processes: number;
  /** Each live process of the target and the partitions it owns. */
  instances: TargetInstanceStatus[];
  /** Events not yet confirmed: waiting in the queue plus held by processes. */
  backlog: number;
  /** The target's partitions (its current layout): each one's backlog and owner. */
  partitions: PartitionStatus[];

  oldestPendingSeconds: number;
  delivered: number;
  failed: number;
  /** Events in the dead-letter queue now. */
  deadLettered: number;
  latencyMeanMs: number;
  latencyMaxMs: number;
  lastError: string;
  lastErrorAt: string;
}

export interface TargetInstanceStatus {
  /** `<host>:<pid>:<queue>` of the process. */
  instance: string;
  online: boolean;
  /** Partition queues it owns (`target.<kind>.<id>.p<n>`). */
  partitions: string[];
  /** Events it holds (taken, not yet confirmed). */
  held: number;
  delivered: number;
}

export interface PartitionStatus {
  queue: string;
  /** Events waiting in it plus those its owner holds. */
  backlog: number;
  /** The owning process's instance, '' while no process owns it. */
  owner: string;
}
