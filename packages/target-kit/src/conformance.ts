// The conformance suite every target passes: the same checks, run against each
// real target through the kit. A target supplies a sink for a fresh namespace
// and a way to read back what the target stored; optional capabilities (a way
// to make the target reject one event, a way to restart it) unlock more checks.
export { conformanceJob } from './conformance-job.ts';

import { buildConfig } from '@bucket-events/config';
import { deadLetterQueueName, type TargetJob, targetJobId } from '@bucket-events/contracts';
import { test, uniqueName } from '@bucket-events/testing';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import type { TargetAppDefinition } from './app.ts';
import { conformanceJob } from './conformance-job.ts';
import { TargetError } from './errors.ts';
import { objectKey, type ProbeOptions, type TargetProbe, type TargetProbeDefinition } from './probe.ts';
import { runTarget } from './run-target.ts';
import type { BatchFailures, TargetSink } from './sink.ts';
import { PartitionedTestQueue } from './test-queue.ts';

export interface StoredEvent {
  key: string;
  sequencer: string;
}

export interface ConformanceTarget {
  sink: TargetSink;
  /** What the target holds now, in the order it received it (per key at least). */
  stored(): Promise<StoredEvent[]>;
  /** Turns a job into one the target will reject as invalid (fatal), if the target can. */
  poison?(job: TargetJob): TargetJob;
  /** Stops and starts the real service (the test waits for events to flow again). */
  restart?(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface ConformanceSubject {
  kind: string;
  /**
   * Called once per test: a sink on a fresh namespace of the real service (use
   * @bucket-events/testing's endpoints and uniqueName), and how to read it back.
   */
  setup(): Promise<ConformanceTarget>;
}

/**
 * A conformance target read back through the kind's probe: the sink is the one the app makes from
 * the probe's block, as it would from config.json (`overrides` change keys of that block).
 */
export async function probedConformanceTarget(
  app: TargetAppDefinition,
  probeDefinition: TargetProbeDefinition,
  options: Omit<ProbeOptions, 'name'> & { overrides?: Record<string, unknown> } = {},
): Promise<ConformanceTarget & { probe: TargetProbe }> {
  const { overrides, ...probeOptions } = options;
  const probe = await probeDefinition.create({
    name: uniqueName('conformance'),
    format: 'access',
    ...probeOptions,
  });
  await probe.prepare();
  const document = { notify: { [app.kind]: { '1': { ...probe.block, ...overrides } } } };
  const [configured] = buildConfig({ [app.kind]: app.options }, document, {}, 'the probe').targets;
  if (!configured) throw new Error(`the ${app.kind} probe's block enables no target`);
  return {
    probe,
    sink: app.createSink(configured),
    async stored() {
      const observation = await probe.read();
      if (observation.kind !== 'events') throw new Error('expected the access format');
      return observation.events.map((record) => ({
        key: objectKey(record),
        sequencer: record.s3.object.sequencer,
      }));
    },
    cleanup: () => probe.cleanup(),
  };
}

/** Fails the first `failures` writes with a retryable error, then passes through. */
class FlakySink implements TargetSink {
  constructor(
    private readonly inner: TargetSink,
    private failures: number,
  ) {}
  connect() {
    return this.inner.connect();
  }
  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new TargetError('retry', 'injected outage');
    }
    return this.inner.write(batch);
  }
  close() {
    return this.inner.close();
  }
  classify(error: unknown) {
    return this.inner.classify(error);
  }
}

/** Holds every write until released. */
class GatedSink implements TargetSink {
  private release: () => void = () => {};
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  constructor(private readonly inner: TargetSink) {}
  open() {
    this.release();
  }
  connect() {
    return this.inner.connect();
  }
  async write(batch: readonly TargetJob[]) {
    await this.gate;
    return this.inner.write(batch);
  }
  close() {
    return this.inner.close();
  }
  classify(error: unknown) {
    return this.inner.classify(error);
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function assertPerKeyOrder(events: StoredEvent[]) {
  const last = new Map<string, string>();
  for (const event of events) {
    const previous = last.get(event.key);
    expect(
      previous === undefined || event.sequencer > previous,
      `${event.key}: ${event.sequencer} after ${previous}`,
    ).toBe(true);
    last.set(event.key, event.sequencer);
  }
}

const uniqueSequencers = (events: StoredEvent[]) => new Set(events.map((event) => event.sequencer));

/** Registers the shared suite for one kind of target. */
export function targetConformanceSuite(subject: ConformanceSubject): void {
  const identity = (prefixSeed: string) => ({
    kind: subject.kind,
    id: 'conformance',
    arn: `arn:minio:sqs:us-east-1:conformance:${subject.kind}`,
    queue: `target.${subject.kind}.conformance.${prefixSeed}`,
    partitions: 4,
  });

  async function harness(redis: { url: string; prefix: string }, wrap?: (sink: TargetSink) => TargetSink) {
    const prefix = redis.prefix.slice(0, -1);
    const target = await subject.setup();
    const id = identity(prefix);
    // Partitioned as in production: each event in its key's partition.
    const queue = new PartitionedTestQueue({
      base: id.queue,
      layout: id.partitions,
      prefix,
      redisUrl: redis.url,
    });
    const sink = wrap ? wrap(target.sink) : target.sink;
    const running = await runTarget({
      target: id,
      sink,
      redisUrl: redis.url,
      prefix,
      log: pino({ level: 'silent' }),
      retryInitialMs: 50,
      retryMaxMs: 1000,
      lockMs: 5000,
    });
    const enqueue = (jobs: TargetJob[]) =>
      queue.addBulk(
        jobs.map((data) => ({
          name: data.record.eventName,
          data,
          opts: { jobId: targetJobId(data.sequencer), removeOnComplete: { age: 600 } },
        })),
      );
    const stop = async () => {
      await running.close();
      await queue.close();
      await target.cleanup();
    };
    return { target, queue, running, enqueue, stop, prefix, redis, id };
  }

  describe(`${subject.kind} target conformance`, () => {
    test('delivers single events and batches, each once, in per-key order', async ({ redis }) => {
      const h = await harness(redis);
      try {
        await h.enqueue([conformanceJob(subject.kind, 'single.jpg')]);
        await until(async () => (await h.target.stored()).length === 1);
        const jobs = Array.from({ length: 120 }, (_, i) =>
          conformanceJob(subject.kind, `photos/${i % 6}.jpg`),
        );
        await h.enqueue(jobs);
        await until(async () => uniqueSequencers(await h.target.stored()).size === 121);
        const stored = await h.target.stored();
        expect(stored).toHaveLength(121);
        assertPerKeyOrder(stored);
      } finally {
        await h.stop();
      }
    });

    test('keeps per-key order through retries', async ({ redis }) => {
      const h = await harness(redis, (sink) => new FlakySink(sink, 3));
      try {
        const jobs = Array.from({ length: 60 }, (_, i) => conformanceJob(subject.kind, `k${i % 4}`));
        await h.enqueue(jobs);
        await until(async () => uniqueSequencers(await h.target.stored()).size === 60);
        assertPerKeyOrder(await h.target.stored());
      } finally {
        await h.stop();
      }
    });

    test('acknowledges a job only after the target confirmed it', async ({ redis }) => {
      let gated: GatedSink | undefined;
      const h = await harness(redis, (sink) => {
        gated = new GatedSink(sink);
        return gated;
      });
      try {
        await h.enqueue([conformanceJob(subject.kind, 'a'), conformanceJob(subject.kind, 'b')]);
        await until(async () => (await h.queue.getActiveCount()) === 2);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await h.queue.getCompletedCount()).toBe(0);
        gated?.open();
        await until(async () => (await h.queue.getCompletedCount()) === 2);
        expect((await h.target.stored()).map((event) => event.key).sort()).toEqual(['a', 'b']);
      } finally {
        await h.stop();
      }
    });

    test('drains held events on graceful shutdown', async ({ redis }) => {
      const h = await harness(redis);
      const jobs = Array.from({ length: 40 }, (_, i) => conformanceJob(subject.kind, `d${i % 5}`));
      await h.enqueue(jobs);
      await until(async () => (await h.queue.getActiveCount()) > 0 || (await h.target.stored()).length > 0);
      await h.running.close();
      // Whatever the process had taken was confirmed before close() returned.
      expect(await h.queue.getActiveCount()).toBe(0);
      await h.queue.close();
      await h.target.cleanup();
    });

    test('dead-letters an event the target rejects, without retrying it, and delivers the rest', async ({
      redis,
      skip,
    }) => {
      const probe = await subject.setup();
      const canPoison = probe.poison !== undefined;
      await probe.cleanup();
      if (!canPoison) skip('this target accepts every well-formed event');
      const h = await harness(redis);
      const dead = new Queue(deadLetterQueueName({ kind: subject.kind as never, id: h.id.id }), {
        prefix: h.prefix,
        connection: { url: h.redis.url },
      });
      try {
        const bad = h.target.poison?.(conformanceJob(subject.kind, 'bad')) as TargetJob;
        await h.enqueue([conformanceJob(subject.kind, 'good'), bad, conformanceJob(subject.kind, 'good')]);
        await until(async () => (await dead.getWaitingCount()) === 1);
        await until(
          async () => (await h.target.stored()).filter((event) => event.key === 'good').length === 2,
        );
        const [letter] = await dead.getWaiting();
        expect(letter?.data).toMatchObject({ attempts: 1, job: { sequencer: bad.sequencer } });
      } finally {
        await dead.close();
        await h.stop();
      }
    });

    test('loses nothing when the target restarts mid-stream', async ({ redis, skip }) => {
      const probe = await subject.setup();
      const canRestart = probe.restart !== undefined;
      await probe.cleanup();
      if (!canRestart) skip('the service is shared by parallel tests and cannot be restarted from here');
      const h = await harness(redis);
      try {
        const first = Array.from({ length: 50 }, (_, i) => conformanceJob(subject.kind, `r${i % 5}`));
        await h.enqueue(first);
        const restarting = (h.target.restart as () => Promise<void>)();
        const second = Array.from({ length: 50 }, (_, i) => conformanceJob(subject.kind, `r${i % 5}`));
        await h.enqueue(second);
        await restarting;
        await until(async () => uniqueSequencers(await h.target.stored()).size === 100, 120_000);
        const stored = await h.target.stored();
        const firsts = stored.filter(
          (event, index) => stored.findIndex((e) => e.sequencer === event.sequencer) === index,
        );
        assertPerKeyOrder(firsts);
      } finally {
        await h.stop();
      }
    }, 180_000);
  });
}

export interface NamespaceViewTarget {
  sink: TargetSink;
  /** The view's entry for `conformance/<key>` (its one record), undefined when it has none. */
  entry(key: string): Promise<TargetJob['record'] | undefined>;
  cleanup(): Promise<void>;
}

/** A job about one version of `key`, in a versioned bucket. */
function versionJob(
  kind: string,
  key: string,
  eventName: string,
  versionId: string,
  view?: TargetJob['view'],
) {
  const job = conformanceJob(kind, key, eventName);
  job.record.s3.object.versionId = versionId;
  if (view) job.view = view;
  return job;
}

/**
 * For targets with a namespace format: the view shows what a GET of the key returns, through the
 * deletions of a versioned bucket (a noncurrent version's leaves it, the newest one's shows the
 * version that became current, a delete marker removes it).
 */
export function namespaceViewSuite(subject: { kind: string; setup(): Promise<NamespaceViewTarget> }): void {
  const { kind } = subject;
  describe(`${kind} namespace view (versioned keys)`, () => {
    test('shows the current version through deletions of one version and delete markers', async () => {
      const target = await subject.setup();
      const { sink } = target;
      await sink.connect();
      try {
        const v1 = versionJob(kind, 'doc.txt', 's3:ObjectCreated:Put', 'v-1');
        const v2 = versionJob(kind, 'doc.txt', 's3:ObjectCreated:Put', 'v-2');
        await sink.write([v1, v2]);
        expect((await target.entry('doc.txt'))?.s3.object.versionId).toBe('v-2');

        // A noncurrent version goes, in the same batch as another key's event: the entry stays.
        const dropV1 = versionJob(kind, 'doc.txt', 's3:ObjectRemoved:Delete', 'v-1', 'unchanged');
        const other = conformanceJob(kind, 'other.txt');
        expect(await sink.write([dropV1, other])).toBeUndefined();
        expect((await target.entry('doc.txt'))?.s3.object.versionId).toBe('v-2');
        expect((await target.entry('other.txt'))?.s3.object.sequencer).toBe(other.sequencer);

        // The newest version goes: the entry becomes the record of the version made current.
        const v3 = versionJob(kind, 'doc.txt', 's3:ObjectCreated:Put', 'v-3');
        const current = structuredClone(v3.record);
        current.eventName = 's3:ObjectRemoved:Delete';
        current.s3.object = { ...v2.record.s3.object, sequencer: '' };
        const dropV3 = versionJob(kind, 'doc.txt', 's3:ObjectRemoved:Delete', 'v-3', { current });
        current.s3.object.sequencer = dropV3.sequencer;
        await sink.write([v3]);
        expect((await target.entry('doc.txt'))?.s3.object.versionId).toBe('v-3');
        await sink.write([dropV3]);
        expect(await target.entry('doc.txt')).toEqual(current);
        // Repeated (at-least-once), the older jobs change nothing.
        await sink.write([v3, dropV1]);
        expect(await target.entry('doc.txt')).toEqual(current);

        // A delete marker hides the key.
        await sink.write([versionJob(kind, 'doc.txt', 's3:ObjectRemoved:DeleteMarkerCreated', 'm-4')]);
        expect(await target.entry('doc.txt')).toBeUndefined();
      } finally {
        await sink.close();
        await target.cleanup();
      }
    });
  });
}
