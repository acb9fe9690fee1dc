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
  /** Events not yet confirmed: waiting in the queue plus held by processes. */
  backlog: number;
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
