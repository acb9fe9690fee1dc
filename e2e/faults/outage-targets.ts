// The targets of the outage and fault suites: every kind's probe
// (apps/target-<kind>/src/probe.ts) made restartable — durable where the server
// stores, read anew on each read so that a restart between reads does not
// matter, with a way to stop and start its server. Arrivals in arrival order.
import type { EventRecord, TargetKind } from '@bucket-events/contracts';
import type { TargetProbe } from '@bucket-events/target-kit/probe';
import { targetProbes } from '@bucket-events/targets/probes';

export interface Arrival {
  key: string;
  sequencer: string;
  eventName: string;
  /** The `x-amz-request-id` of the S3 request that made the event: ties it to an acknowledged upload. */
  requestId: string;
  eTag: string;
}

export interface OutageTarget extends Omit<TargetProbe, 'read'> {
  kind: TargetKind;
  /** Everything the target holds, in arrival order. */
  arrivals(): Promise<Arrival[]>;
}

const arrival = (record: EventRecord): Arrival => ({
  key: decodeURIComponent(record.s3.object.key),
  sequencer: record.s3.object.sequencer,
  eventName: record.eventName,
  requestId: String(record.responseElements['x-amz-request-id'] ?? ''),
  eTag: record.s3.object.eTag ?? '',
});

function outageTarget(kind: TargetKind, probe: TargetProbe): OutageTarget {
  return {
    ...probe,
    kind,
    async arrivals() {
      const observation = await probe.read();
      if (observation.kind !== 'events') throw new Error(`${kind}: expected the access format`);
      return observation.events.map(arrival);
    },
  };
}

/** Every kind's target (or those of `kinds`), in the access format, each writing to a unique name. */
export async function outageTargets(
  uniqueName: (prefix: string) => string,
  kinds?: readonly TargetKind[],
): Promise<OutageTarget[]> {
  const targets: OutageTarget[] = [];
  for (const definition of await targetProbes(kinds)) {
    const probe = await definition.create({
      name: uniqueName('outage'),
      format: 'access',
      restartable: true,
    });
    targets.push(outageTarget(definition.kind, probe));
  }
  return targets;
}

/** How many events a target holds: distinct ones where it is read in full (a restart may deliver some twice). */
export async function progressOf(target: OutageTarget): Promise<number> {
  if (target.count) return target.count();
  return new Set((await target.arrivals()).map((a) => a.sequencer)).size;
}
