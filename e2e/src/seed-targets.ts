// The seed's targets, one per kind and format, pointed at the local services,
// each read through its kind's probe (apps/target-<kind>/src/probe.ts) the way
// the seed's step 3 looks at a target. The blocks are the seed's own where it has
// one (no `format`: the default must do what the seed shows), with `format` on
// the extra ones.
import type { EventRecord, TargetKind } from '@bucket-events/contracts';
import type { Observation, TargetProbe } from '@bucket-events/target-kit/probe';
import { targetProbes } from '@bucket-events/targets/probes';
import { eventually } from '@bucket-events/testing';

export type { Observation } from '@bucket-events/target-kit/probe';

export interface Reader {
  observe(): Promise<Observation>;
  close(): Promise<void>;
}

export interface SeedTarget {
  /** e.g. `amqp` or `redis (namespace)`. */
  title: string;
  kind: TargetKind;
  /** `1` for the kind's default format, the format's name for the others. */
  id: string;
  readonly block: Record<string, unknown>;
  /** Starts looking (before the first upload: subscriptions and consumers must exist first). */
  read(): Promise<Reader>;
}

const seedTarget = (kind: TargetKind, id: string, title: string, probe: TargetProbe): SeedTarget => ({
  title,
  kind,
  id,
  block: probe.block,
  async read() {
    await probe.prepare();
    return { observe: () => probe.read(), close: () => probe.cleanup() };
  },
});

/** The seed's targets (those of `kinds`, default every kind), each with a unique name for this run. */
export async function seedTargets(
  uniqueName: (prefix: string) => string,
  kinds?: readonly TargetKind[],
): Promise<SeedTarget[]> {
  const targets: SeedTarget[] = [];
  for (const definition of await targetProbes(kinds)) {
    const [seedFormat, ...others] = definition.formats;
    const titled = (format: string) =>
      others.length > 0 ? `${definition.kind} (${format})` : definition.kind;
    const probe = await definition.create({ name: uniqueName('bucketevents') });
    targets.push(seedTarget(definition.kind, '1', titled(seedFormat ?? 'access'), probe));
    for (const format of others) {
      const other = await definition.create({ name: uniqueName('bucketevents'), format });
      targets.push(seedTarget(definition.kind, format, titled(format), other));
    }
  }
  return targets;
}

/** The config.json document with every given target block under `notify`. */
export function configDocument(targets: SeedTarget[]): object {
  const notify: Record<string, Record<string, unknown>> = {};
  for (const target of targets) {
    notify[target.kind] ??= {};
    (notify[target.kind] as Record<string, unknown>)[target.id] = target.block;
  }
  return { version: '1', region: 'us-east-1', notify };
}

/** Waits until an access-style target holds at least `count` events of `bucket`; returns them in arrival order. */
export function bucketEvents(
  reader: Reader,
  bucket: string,
  count: number,
  what: string,
): Promise<EventRecord[]> {
  return eventually(
    async () => {
      const observation = await reader.observe();
      if (observation.kind !== 'events') throw new Error('expected an access-style target');
      const mine = observation.events.filter((record) => record.s3.bucket.name === bucket);
      return mine.length >= count ? mine : undefined;
    },
    { what: `${count} events at ${what}`, timeoutMs: 60_000, intervalMs: 200 },
  );
}
