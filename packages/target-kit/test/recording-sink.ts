// A test target built on the kit: it records what it was asked to write, in
// order, and can be told to be down, to reject one key, or to hold writes.
import type { TargetJob } from '@bucket-events/contracts';
import { TargetError } from '../src/errors.ts';
import type { BatchFailures, TargetSink } from '../src/sink.ts';

export class RecordingSink implements TargetSink {
  readonly delivered: TargetJob[] = [];
  readonly batches: number[] = [];
  connects = 0;
  /** While set, every write fails with this class. */
  down: 'retry' | 'reconnect' | undefined;
  /** Keys whose events the target rejects as invalid. */
  readonly poisoned = new Set<string>();
  /** While set, writes wait for it. */
  gate: Promise<void> | undefined;
  /** While true, the target does not answer probes (a server that went away while idle). */
  unreachable = false;
  probes = 0;
  /** A write that contains one of these keys takes this long (ms). */
  readonly slowKeys = new Map<string, number>();

  async connect(): Promise<void> {
    this.connects += 1;
    if (this.unreachable) throw new TargetError('reconnect', 'connection refused');
    if (this.down === 'reconnect') throw new TargetError('reconnect', 'connection refused');
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    await this.gate;
    const slow = Math.max(0, ...batch.map((job) => this.slowKeys.get(job.key) ?? 0));
    if (slow > 0) await new Promise((resolve) => setTimeout(resolve, slow));
    if (this.down) throw new TargetError(this.down, 'target unavailable');
    const failures: BatchFailures = new Map();
    batch.forEach((job, index) => {
      if (this.poisoned.has(job.key)) failures.set(index, new TargetError('fatal', `rejected ${job.key}`));
      else this.delivered.push(job);
    });
    this.batches.push(batch.length);
    return failures;
  }

  async probe(): Promise<void> {
    this.probes += 1;
    if (this.unreachable) throw new TargetError('reconnect', 'connection refused');
  }

  async close(): Promise<void> {}

  classify(): 'retry' {
    return 'retry';
  }
}
