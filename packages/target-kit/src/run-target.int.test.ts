// The kit against the real Redis (BullMQ) with a recording test target:
// delivery in per-key order, outages retried in place, fatal events
// dead-lettered without holding others, ack only after confirmation, drain.
import { deadLetterQueueName } from '@bucket-events/contracts';
import { test } from '@bucket-events/testing';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { enqueue, enqueueBatches, orderViolation, targetJob } from '../test/jobs.ts';
import { RecordingSink } from '../test/recording-sink.ts';
import { listDeadLetters, purgeDeadLetters, redriveDeadLetters } from './dead-letters.ts';
import { type RunTargetOptions, runTarget } from './run-target.ts';
import { PartitionedTestQueue } from './test-queue.ts';

// One partition: these tests count jobs, and a batch split over partitions would be several.
const target = {
  kind: 'test',
  id: '1',
  arn: 'arn:minio:sqs:us-east-1:1:test',
  queue: 'target.test.1',
  partitions: 1,
};
const log = pino({ level: 'silent' });

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function setup(
  redis: { url: string; prefix: string },
  sink: RecordingSink,
  extra: Partial<RunTargetOptions> = {},
) {
  const prefix = redis.prefix.slice(0, -1);
  const queue = new PartitionedTestQueue({ base: target.queue, layout: 1, prefix, redisUrl: redis.url });
  /** The target's dead-letter queue (opened on first use; close it in the test). */
  const deadLetters = () =>
    new Queue(deadLetterQueueName({ kind: 'test' as never, id: '1' }), {
      prefix,
      connection: { url: redis.url },
    });
  const options: RunTargetOptions = {
    target,
    sink,
    redisUrl: redis.url,
    prefix,
    log,
    retryInitialMs: 20,
    retryMaxMs: 200,
    ...extra,
  };
  return { queue, prefix, options, deadLetters };
}

describe('runTarget', () => {
  test('delivers every event once, in per-key order, in batches, and completes the jobs', async ({
    redis,
  }) => {
    const sink = new RecordingSink();
    const { queue, options } = setup(redis, sink);
    const jobs = Array.from({ length: 600 }, (_, i) => targetJob(`key-${i % 30}`));
    await enqueue(queue, jobs);
    const running = await runTarget({ ...options, httpPort: 0 });
    try {
      await until(() => sink.delivered.length === 600);
      expect(sink.delivered.map((j) => j.sequencer).sort()).toEqual(jobs.map((j) => j.sequencer).sort());
      expect(orderViolation(sink.delivered)).toBeUndefined();
      expect(Math.max(...sink.batches)).toBeGreaterThan(1);
      await until(async () => (await queue.getCompletedCount()) === 600);
      const metrics = await (await fetch(`http://127.0.0.1:${running.httpPort}/metrics`)).text();
      expect(metrics).toContain(
        `bucket_events_delivered_total{target="${target.arn}",kind="test",id="1"} 600`,
      );
      expect(metrics).toContain('bucket_events_delivery_latency_seconds_count');
      expect((await fetch(`http://127.0.0.1:${running.httpPort}/readyz`)).status).toBe(200);
    } finally {
      await running.close();
      await queue.close();
    }
  });

  test('batch jobs: every event delivered in per-key order with single ones; a job completes with its last event', async ({
    redis,
  }) => {
    const sink = new RecordingSink();
    let release: () => void = () => {};
    sink.gate = new Promise((resolve) => {
      release = resolve;
    });
    const { queue, options } = setup(redis, sink);
    // Twenty jobs of 1 to 39 events over 12 keys, and single-event jobs between them.
    const all: ReturnType<typeof targetJob>[] = [];
    for (let j = 0; j < 20; j++) {
      const events = Array.from({ length: 1 + ((j * 7) % 39) }, (_, i) => targetJob(`key-${(i + j) % 12}`));
      all.push(...events);
      await enqueueBatches(queue, [events]);
      const single = targetJob(`key-${j % 12}`);
      all.push(single);
      await enqueue(queue, [single]);
    }
    const running = await runTarget({ ...options, maxInFlight: 100 });
    try {
      // Nothing confirmed yet: no job may complete, however many of its events are in lanes.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await queue.getCompletedCount()).toBe(0);
      release();
      await until(() => sink.delivered.length === all.length);
      expect(sink.delivered.map((j) => j.sequencer)).toEqual(
        expect.arrayContaining(all.map((j) => j.sequencer)),
      );
      expect(orderViolation(sink.delivered)).toBeUndefined();
      await until(async () => (await queue.getCompletedCount()) === 40);
      const metrics = await running.metrics.registry.getSingleMetricAsString('bucket_events_received_total');
      expect(Number(/ (\d+)$/m.exec(metrics)?.[1])).toBe(all.length);
    } finally {
      await running.close();
      await queue.close();
    }
  });

  test("a slow key in batch jobs holds only its own events' room, not their jobs'", async ({ redis }) => {
    const sink = new RecordingSink();
    // Slow by far more than the fast keys need, even on a loaded machine.
    sink.slowKeys.set('slow', 10_000);
    const { queue, options } = setup(redis, sink);
    // Every job has one event of the slow key and nine of others; room for 30 events.
    const groups = Array.from({ length: 10 }, (_, j) => [
      targetJob('slow'),
      ...Array.from({ length: 9 }, (_, i) => targetJob(`fast-${j}-${i}`)),
    ]);
    const running = await runTarget({ ...options, maxInFlight: 30, batchSize: 5, drainTimeoutMs: 200 });
    try {
      await enqueueBatches(queue, groups.slice(0, 1));
      await until(async () => (await queue.getActiveCount()) === 1);
      await enqueueBatches(queue, groups.slice(1));
      // Held until their jobs complete, the room would be gone after a few jobs; held by events,
      // every fast event passes except the few (< 5) written in the same slow sink write as a slow one.
      await until(() => sink.delivered.filter((job) => job.key.startsWith('fast-')).length >= 86, 8000);
      expect(sink.delivered.some((job) => job.key === 'slow')).toBe(false);
      expect(await queue.getCompletedCount()).toBe(0);
    } finally {
      await running.close();
      await queue.close();
    }
  });

  test('while the target is down nothing completes or is lost; it drains in order when back', async ({
    redis,
  }) => {
    const sink = new RecordingSink();
    sink.down = 'retry';
    const { queue, options } = setup(redis, sink);
    const running = await runTarget({ ...options, maxInFlight: 50, httpPort: 0 });
    try {
      const jobs = Array.from({ length: 300 }, (_, i) => targetJob(`k-${i % 7}`));
      await enqueue(queue, jobs);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sink.delivered).toEqual([]);
      expect(await queue.getCompletedCount()).toBe(0);
      // Bounded in-flight work: the backlog waits in Redis, not in memory.
      expect(await queue.getWaitingCount()).toBeGreaterThanOrEqual(250);
      expect((await fetch(`http://127.0.0.1:${running.httpPort}/readyz`)).status).toBe(503);
      sink.down = undefined;
      await until(() => sink.delivered.length === 300);
      expect(orderViolation(sink.delivered)).toBeUndefined();
      const metrics = await running.metrics.registry.getSingleMetricAsString('bucket_events_retries_total');
      expect(Number(/ (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    } finally {
      await running.close();
      await queue.close();
    }
  });

  test('a rejected event is dead-lettered with its error and does not hold up its key or others', async ({
    redis,
  }) => {
    const sink = new RecordingSink();
    sink.poisoned.add('bad');
    const { queue, prefix, options, deadLetters } = setup(redis, sink);
    const dead = deadLetters();
    const running = await runTarget(options);
    try {
      await enqueue(queue, [targetJob('good'), targetJob('bad'), targetJob('good'), targetJob('other')]);
      await until(() => sink.delivered.length === 3);
      await until(async () => (await dead.getWaitingCount()) === 1);
      const [letter] = await dead.getWaiting();
      expect(letter?.data).toMatchObject({
        error: 'rejected bad',
        attempts: 1,
        target: target.arn,
        job: { key: 'bad' },
      });
      expect(sink.delivered.map((j) => j.key).sort()).toEqual(['good', 'good', 'other']);
      await until(async () => (await queue.getCompletedCount()) === 4);

      // Once the cause is fixed, an operator re-drives the letter and it is delivered.
      const scope = { target: { kind: 'test' as never, id: '1' }, prefix, redisUrl: redis.url };
      expect((await listDeadLetters(scope)).map((letter) => letter.error)).toEqual(['rejected bad']);
      sink.poisoned.clear();
      expect(await redriveDeadLetters(scope)).toBe(1);
      await until(() => sink.delivered.some((job) => job.key === 'bad'));
      expect(await listDeadLetters(scope)).toEqual([]);
      expect(await purgeDeadLetters(scope)).toBe(0);
    } finally {
      await running.close();
      await dead.close();
      await queue.close();
    }
  });

  test('an event rejected inside a batch job is dead-lettered alone; the job completes', async ({
    redis,
  }) => {
    const sink = new RecordingSink();
    sink.poisoned.add('bad');
    const { queue, options, deadLetters } = setup(redis, sink);
    const dead = deadLetters();
    const running = await runTarget(options);
    try {
      await enqueueBatches(queue, [
        [targetJob('good'), targetJob('bad'), targetJob('good'), targetJob('other')],
      ]);
      await until(async () => (await queue.getCompletedCount()) === 1);
      expect(sink.delivered.map((j) => j.key)).toEqual(expect.arrayContaining(['good', 'good', 'other']));
      expect(sink.delivered).toHaveLength(3);
      const letters = await dead.getWaiting();
      expect(letters.map((letter) => (letter.data as { job: { key: string } }).job.key)).toEqual(['bad']);
    } finally {
      await running.close();
      await dead.close();
      await queue.close();
    }
  });

  test('a slow key holds up only its own batch, not the other keys', async ({ redis }) => {
    const sink = new RecordingSink();
    // Slow by far more than the fast keys need, even on a loaded machine.
    sink.slowKeys.set('slow', 8000);
    const { queue, options } = setup(redis, sink);
    const running = await runTarget(options);
    try {
      await enqueue(queue, [targetJob('slow')]);
      await until(async () => (await queue.getActiveCount()) === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await enqueue(
        queue,
        Array.from({ length: 40 }, (_, i) => targetJob(`fast-${i % 8}`)),
      );
      await until(() => sink.delivered.filter((job) => job.key.startsWith('fast-')).length === 40, 6000);
      expect(sink.delivered.some((job) => job.key === 'slow')).toBe(false);
      await until(() => sink.delivered.some((job) => job.key === 'slow'));
    } finally {
      await running.close();
      await queue.close();
    }
  });

  test('acknowledges a job only after the target confirmed the write', async ({ redis }) => {
    const sink = new RecordingSink();
    let release: () => void = () => {};
    sink.gate = new Promise((resolve) => {
      release = resolve;
    });
    const { queue, options } = setup(redis, sink);
    const running = await runTarget(options);
    try {
      await enqueue(queue, [targetJob('a'), targetJob('b')]);
      await until(async () => (await queue.getActiveCount()) === 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await queue.getCompletedCount()).toBe(0);
      release();
      await until(async () => (await queue.getCompletedCount()) === 2);
    } finally {
      await running.close();
      await queue.close();
    }
  });

  test('close() releases held events when the target stays down; another process delivers them', async ({
    redis,
  }) => {
    const sink = new RecordingSink();
    sink.down = 'retry';
    const { queue, options } = setup(redis, sink);
    const first = await runTarget({ ...options, drainTimeoutMs: 300, lockMs: 1000 });
    await enqueue(queue, [targetJob('x'), targetJob('y')]);
    await until(async () => (await queue.getActiveCount()) === 2);
    await first.close();
    const healthy = new RecordingSink();
    // The released jobs come back once their locks lapse (BullMQ's stalled check).
    const second = await runTarget({ ...options, sink: healthy, lockMs: 1000 });
    try {
      await until(() => healthy.delivered.length === 2, 20_000);
      expect(healthy.delivered.map((j) => j.key).sort()).toEqual(['x', 'y']);
    } finally {
      await second.close();
      await queue.close();
    }
  }, 40_000);

  test('a write the target never answers times out: the kit reconnects and writes again', async ({
    redis,
  }) => {
    const sink = new RecordingSink();
    sink.gate = new Promise(() => {}); // the first write hangs for good, as on a silent broker
    const { queue, options } = setup(redis, sink, { writeTimeoutMs: 300 });
    const running = await runTarget(options);
    try {
      await enqueue(queue, [targetJob('silent')]);
      await until(() => sink.connects >= 2); // the timeout counted as a dropped connection
      sink.gate = undefined;
      await until(() => sink.delivered.length === 1);
      expect(sink.delivered[0]?.key).toBe('silent');
      await until(async () => (await queue.getCompletedCount()) === 1);
    } finally {
      await running.close();
      await queue.close();
    }
  });
});
