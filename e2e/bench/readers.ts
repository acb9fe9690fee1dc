// The benchmark's readers: for each target kind its probe's follower
// (apps/target-<kind>/src/probe.ts), which notes when each event becomes readable
// there, by object key — pushed where the target pushes, polled where it cannot.
// Polling followers poll only while watched: the benchmark shares two cores with
// what it measures.
import type { TargetKind } from '@bucket-events/contracts';
import { targetProbes } from '@bucket-events/targets/probes';

export interface ArrivalReader {
  /** When each key's first event became readable (the bench's monotonic clock, ms). */
  arrivals: Map<string, number>;
  /** Starts or stops looking (polling readers and Redis; the other push readers always look: they cost only when events come). */
  watch?(on: boolean): void;
  close(): Promise<void>;
}

export interface BenchTarget {
  kind: TargetKind;
  block: Record<string, unknown>;
  /** Creates what the target writes to and starts reading it. */
  open(): Promise<ArrivalReader>;
}

/** The benchmark's targets (those of `kinds`, default every one), each in the access format, writing to `name`. */
export async function benchTargets(name: string, kinds?: readonly TargetKind[]): Promise<BenchTarget[]> {
  const targets: BenchTarget[] = [];
  for (const definition of await targetProbes(kinds)) {
    const probe = await definition.create({ name, format: 'access' });
    targets.push({
      kind: definition.kind,
      block: probe.block,
      async open() {
        const arrivals = new Map<string, number>();
        const follower = await probe.follow((key) => {
          // The bench's own monotonic clock (sub-millisecond), the same the PUT answers are timed on.
          if (!arrivals.has(key)) arrivals.set(key, performance.now());
        });
        return {
          arrivals,
          watch: follower.watch,
          async close() {
            await follower.close();
            await probe.cleanup();
          },
        };
      },
    });
  }
  return targets;
}
