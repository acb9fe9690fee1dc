// A target kind's test probe: the one way every test looks at what a target of
// that kind received — the kind's own tests, the seed walkthrough, the outage
// and fault suites and the benchmark. Each kind's probe lives in its folder
// (apps/target-<kind>/src/probe.ts) and is registered in packages/targets.
import type { EventRecord, TargetKind } from '@bucket-events/contracts';

/** A message as a target holds it: MinIO's `{EventName, Key, Records}` document. */
export interface EventDocument {
  EventName?: string;
  Key?: string;
  Records: EventRecord[];
}

export type ViewFormat = 'access' | 'namespace';

/** What a target holds: every event in arrival order (access format), or the current document per object (namespace format). */
export type Observation =
  | { kind: 'events'; events: EventRecord[] }
  | { kind: 'view'; view: Map<string, EventRecord> };

export interface ProbeOptions {
  /** Unique per run: the exchange, index, key, subject, table or topic the target writes to. */
  name: string;
  /** Omitted: the block as the seed writes it, in the kind's default format. */
  format?: ViewFormat;
  /**
   * The test stops and starts the target's server: the block and the reading keep what was
   * delivered across a restart (durable queues, JetStream, a durable MQTT session, a Redis of
   * the probe's own, because the shared one is BullMQ's store), and each read opens what it needs.
   */
  restartable?: boolean;
}

export interface Follower {
  /** Starts or stops looking, for followers that poll (costly reads happen only while watched). */
  watch?(on: boolean): void;
  close(): Promise<void>;
}

export interface TargetProbe {
  /** The target block (as config.json holds it under the kind and an id) pointing at this machine's server. */
  readonly block: Record<string, unknown>;
  /** Creates what reading needs (queue, stream, topic, subscription): call before the first event. */
  prepare(): Promise<void>;
  /** Everything the target holds now. */
  read(): Promise<Observation>;
  /** How many distinct events the target holds, where that is cheaper than `read`. */
  count?(): Promise<number>;
  /**
   * Calls `onArrival` with each event's object key as soon as it is readable there (pushed where
   * the target pushes, polled where it cannot), for latency measurement: instead of `prepare` and
   * `read` (it creates what it needs, keeps nothing, and may consume what it reads).
   */
  follow(onArrival: (key: string) => void): Promise<Follower>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Removes what the probe and the target created. */
  cleanup(): Promise<void>;
}

export interface TargetProbeDefinition {
  kind: TargetKind;
  /** The formats the kind offers, its default first (one entry for kinds without a format). */
  formats: readonly ViewFormat[];
  create(options: ProbeOptions): Promise<TargetProbe>;
}

/**
 * A resource opened for each use and closed after it, whatever the use did: a probe's reads open
 * their own connection, so a server restarted between two reads does not matter.
 */
export function perUse<R>(open: () => Promise<R>, close: (resource: R) => unknown) {
  return async <T>(use: (resource: R) => Promise<T>): Promise<T> => {
    const resource = await open();
    try {
      return await use(resource);
    } finally {
      await close(resource);
    }
  };
}

export const defineTargetProbe = (definition: TargetProbeDefinition): TargetProbeDefinition => definition;

/** The first record of a document (a target message holds one event). */
export const firstRecord = (document: EventDocument): EventRecord => document.Records[0] as EventRecord;

/** An event's object key as S3 clients name it (events carry it URL-encoded, spaces as `+`). */
export const objectKey = (record: EventRecord): string =>
  decodeURIComponent(record.s3.object.key.replaceAll('+', ' '));

/** The object key a document is about. */
export const objectKeyOf = (document: EventDocument): string => objectKey(firstRecord(document));

export const eventsObservation = (documents: EventDocument[]): Observation => ({
  kind: 'events',
  events: documents.map(firstRecord),
});

export const viewObservation = (entries: [string, EventDocument][]): Observation => ({
  kind: 'view',
  view: new Map(entries.map(([key, document]) => [key, firstRecord(document)])),
});

/** Parses a JSON column that a driver may return as text or as an object. */
export const documentOf = (value: unknown): EventDocument =>
  (typeof value === 'string' ? JSON.parse(value) : value) as EventDocument;
