// Which target apps the standalone process runs: one per kind the configuration
// enables a target of, each once, in a fixed order — a kind with no enabled
// target is never loaded (nor its driver's memory spent).
import type { BucketEventsConfig } from '@bucket-events/config';
import type { TargetKind } from '@bucket-events/contracts';

export function targetKindsToRun(config: Pick<BucketEventsConfig, 'targets'>): TargetKind[] {
  return [...new Set(config.targets.map((target) => target.kind))].sort();
}
