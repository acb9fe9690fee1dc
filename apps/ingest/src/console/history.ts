// What the status page charts: every two seconds, each target's status is
// sampled and kept for ten minutes — throughput (events confirmed per second,
// from the delivered counters), backlog, and delivery latency.
import type { ConfiguredTarget } from '@bucket-events/config';
import type { TargetStatus } from '@bucket-events/contracts';
import type { TargetStatusReader } from '@bucket-events/target-kit';

export interface Sample {
  /** Milliseconds since the epoch. */
  at: number;
  throughput: number;
  backlog: number;
  latencyMeanMs: number;
  state: TargetStatus['state'];
}

export const SAMPLE_EVERY_MS = 2000;
const KEEP = (10 * 60 * 1000) / SAMPLE_EVERY_MS;

export class StatusHistory {
  private readonly samples = new Map<string, Sample[]>();
  private readonly previous = new Map<string, { at: number; delivered: number }>();
  private latest: TargetStatus[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly reader: TargetStatusReader,
    private readonly targets: readonly ConfiguredTarget[],
  ) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  snapshot(): { targets: TargetStatus[]; history: Record<string, Sample[]> } {
    return { targets: this.latest, history: Object.fromEntries(this.samples) };
  }

  /** Reads every target once and appends a sample; a failed read (Redis away) is skipped. */
  async sample(): Promise<void> {
    let statuses: TargetStatus[];
    try {
      statuses = await this.reader.read(this.targets);
    } catch {
      return;
    }
    const at = Date.now();
    for (const status of statuses) {
      const before = this.previous.get(status.arn);
      // A restarted process starts its counter at 0: a drop is not negative throughput.
      const delta = before ? Math.max(0, status.delivered - before.delivered) : 0;
      const seconds = before ? (at - before.at) / 1000 : 1;
      this.previous.set(status.arn, { at, delivered: status.delivered });
      const series = this.samples.get(status.arn) ?? [];
      series.push({
        at,
        throughput: seconds > 0 ? delta / seconds : 0,
        backlog: status.backlog,
        latencyMeanMs: status.latencyMeanMs,
        state: status.state,
      });
      if (series.length > KEEP) series.splice(0, series.length - KEEP);
      this.samples.set(status.arn, series);
    }
    this.latest = statuses;
  }
}
