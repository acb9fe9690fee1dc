// What a target app counts about its deliveries, kept once and read twice: the
// Prometheus metrics and the heartbeat (status page, `admin targets`) report
// the same numbers.
import { describeError } from './errors.ts';
import type { TargetMetrics } from './metrics.ts';

export interface DeliveryTally {
  received: number;
  delivered: number;
  failed: number;
  deadLettered: number;
  lastError: string;
  lastErrorAt: string;
}

export class DeliveryTelemetry {
  readonly tally: DeliveryTally = {
    received: 0,
    delivered: 0,
    failed: 0,
    deadLettered: 0,
    lastError: '',
    lastErrorAt: '',
  };
  /** PUT → delivery latency since the last heartbeat. */
  private window = { sum: 0, count: 0, max: 0 };

  constructor(readonly metrics: TargetMetrics) {}

  received(events: number): void {
    this.metrics.received.inc(events);
    this.tally.received += events;
  }

  /** An event the target confirmed, committed at `eventTime` (its latency is observed). */
  delivered(eventTime: string): void {
    this.metrics.delivered.inc();
    this.tally.delivered += 1;
    const committed = Date.parse(eventTime);
    if (Number.isNaN(committed)) return;
    const latencyMs = Math.max(0, Date.now() - committed);
    this.metrics.latency.observe(latencyMs / 1000);
    this.window.sum += latencyMs;
    this.window.count += 1;
    this.window.max = Math.max(this.window.max, latencyMs);
  }

  /** An event that will be written again. */
  retried(): void {
    this.metrics.failed.inc();
    this.metrics.retries.inc();
    this.tally.failed += 1;
  }

  deadLettered(error: unknown): void {
    this.metrics.deadLettered.inc();
    this.tally.deadLettered += 1;
    this.noteError(error);
  }

  noteError(error: unknown): void {
    this.tally.lastError = describeError(error);
    this.tally.lastErrorAt = new Date().toISOString();
  }

  /** Mean and max latency since the last call (for the heartbeat), then a fresh window. */
  takeLatencyWindow(): { latencyMeanMs: number; latencyMaxMs: number } {
    const { sum, count, max } = this.window;
    this.window = { sum: 0, count: 0, max: 0 };
    return { latencyMeanMs: count === 0 ? 0 : sum / count, latencyMaxMs: max };
  }
}
