// The contract every target implements: connect, write a batch, close — and
// classify its own errors. Everything else lives in the kit.
import type { TargetJob } from '@bucket-events/contracts';
import type { ErrorClass, TargetError } from './errors.ts';

/** Per-event outcome of a batch write: index in the batch → the error for that event. */
export type BatchFailures = Map<number, TargetError>;

export interface TargetSink {
  /** Opens (or re-opens) the connection; called before the first write and after a `reconnect` error. */
  connect(): Promise<void>;
  /**
   * Writes the events in order and resolves only once the target confirmed
   * them. Events that failed individually are reported by index; a thrown
   * error applies to the whole batch.
   */
  write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined>;
  /**
   * One cheap round trip that shows the target still answers (a PING, `SELECT 1`, a metadata
   * request). The kit calls it while the target is idle, so a target that went away is reported
   * down within seconds instead of at the next event; a rejection makes the kit reconnect.
   */
  probe?(): Promise<void>;
  /** Flushes and closes. */
  close(): Promise<void>;
  /** Maps an error thrown by connect() or write() to what the kit should do. */
  classify(error: unknown): ErrorClass;
}
