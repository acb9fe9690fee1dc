// Marble tests (RxJS TestScheduler) for the routing pipeline: rule matching and
// fan-out into one job per target queue and batch, rules looked up once per
// version, and batch order under retries.
import type { MutationRecord, NotificationConfiguration } from '@bucket-events/contracts';
import { Observable, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { mutation } from './enrich.test.ts';
import type { FanoutJob } from './fanout.ts';
import { type BatchDelivery, type RouterOptions, routeBatches } from './pipeline.ts';
import { compileRules } from './rules.ts';

const AMQP = 'arn:minio:sqs:us-east-1:1:amqp';
const KAFKA = 'arn:minio:sqs:us-east-1:1:kafka';
const REDIS = 'arn:minio:sqs:us-east-1:1:redis';

const config: NotificationConfiguration = {
  queueConfigurations: [
    {
      id: 'jpegs',
      arn: AMQP,
      events: ['s3:ObjectCreated:*'],
      filterRules: [{ name: 'suffix', value: '.jpg' }],
    },
    {
      id: 'also-jpegs',
      arn: AMQP,
      events: ['s3:ObjectCreated:Put'],
      filterRules: [{ name: 'prefix', value: 'photos/' }],
    },
    { id: 'all', arn: KAFKA, events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'], filterRules: [] },
    {
      id: '',
      arn: REDIS,
      events: ['s3:ObjectRemoved:Delete'],
      filterRules: [{ name: 'prefix', value: 'photos/' }],
    },
    { id: 'gone', arn: 'arn:minio:sqs:us-east-1:9:nats', events: ['s3:ObjectCreated:*'], filterRules: [] },
  ],
};

const options: RouterOptions = {
  eventSource: 'aws:s3',
  deploymentId: 'd',
  queueByArn: new Map([
    [AMQP, 'target.amqp.1'],
    [KAFKA, 'target.kafka.1'],
    [REDIS, 'target.redis.1'],
  ]),
  retryDelayMs: 10,
  maxRetryDelayMs: 40,
};

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const batch = (id: string, ...overrides: Partial<MutationRecord>[]): BatchDelivery => ({
  id,
  mutations: overrides.map((o) => mutation(o)),
});
/** Each job as `queue#jobId: key@configurationId …`, events in job order. */
const summary = (jobs: FanoutJob[]) =>
  jobs.map(
    (j) =>
      `${j.queue}#${j.jobId}: ${j.data.events.map((e) => `${e.key}@${e.record.s3.configurationId}`).join(' ')}`,
  );

describe('routeBatches', () => {
  it('fans a batch out as one job per target queue, events in commit order, with the first matching rule id', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b|', {
        a: batch(
          'b-1',
          { key: 'photos/cat.jpg', eventName: 's3:ObjectCreated:Put', sequencer: '0000000000000001' },
          { key: 'docs/readme.txt', eventName: 's3:ObjectCreated:Copy', sequencer: '0000000000000002' },
          { key: 'photos/cat.jpg', eventName: 's3:ObjectRemoved:Delete', sequencer: '0000000000000003' },
        ),
        b: batch('b-4', { key: 'x.png', sequencer: '0000000000000004' }),
      });
      const ports = { rules: () => of(compileRules(config)), enqueue: () => of(undefined) };
      const routed = source.pipe(routeBatches(ports, options));
      expectObservable(
        new Observable<string[]>((s) =>
          routed.subscribe({ next: (r) => s.next(summary(r.jobs)), complete: () => s.complete() }),
        ),
      ).toBe('a-b|', {
        a: [
          'target.amqp.1#b-1: photos/cat.jpg@jpegs',
          'target.kafka.1#b-1: photos/cat.jpg@all docs/readme.txt@all photos/cat.jpg@all',
          'target.redis.1#b-1: photos/cat.jpg@Config',
        ],
        b: ['target.kafka.1#b-4: x.png@all'],
      });
    });
  });

  it('reports rules whose target is not enabled here, routes nothing for version 0, and looks rules up once per version', () => {
    const lookups: string[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a|', {
        a: batch('b-1', { key: 'x.png' }, { key: 'y.png', configVersion: 0 }, { key: 'z.png' }),
      });
      const ports = {
        rules: (bucket: string, version: number) => {
          lookups.push(`${bucket}@${version}`);
          return of(version === 0 ? [] : compileRules(config));
        },
        enqueue: () => of(undefined),
      };
      const routed = source.pipe(routeBatches(ports, options));
      expectObservable(
        new Observable<string[]>((s) =>
          routed.subscribe({
            next: (r) => s.next(r.plans.map((p) => `${p.events.length}/${p.unknownArns.join(',')}`)),
            complete: () => s.complete(),
          }),
        ),
      ).toBe('a|', {
        a: ['1/arn:minio:sqs:us-east-1:9:nats', '0/', '1/arn:minio:sqs:us-east-1:9:nats'],
      });
    });
    expect(lookups.sort()).toEqual(['images@0', 'images@1']);
  });

  it('a batch with nothing to deliver is acknowledged without an enqueue', () => {
    let enqueued = 0;
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a|', { a: batch('b-1', { key: 'y.png', configVersion: 0 }) });
      const ports = {
        rules: () => of([]),
        enqueue: () => {
          enqueued += 1;
          return of(undefined);
        },
      };
      const routed = source.pipe(routeBatches(ports, options));
      expectObservable(
        new Observable<number>((s) =>
          routed.subscribe({ next: (r) => s.next(r.jobs.length), complete: () => s.complete() }),
        ),
      ).toBe('a|', { a: 0 });
    });
    expect(enqueued).toBe(0);
  });

  it('retries a failing enqueue in place with backoff; later batches wait behind it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('ab|', {
        a: batch('b-1', { key: 'k.jpg', sequencer: '0000000000000001' }),
        b: batch('b-2', { key: 'other.jpg', sequencer: '0000000000000002' }),
      });
      let failuresLeft = 2;
      const ports = {
        rules: () => of(compileRules(config)),
        enqueue: (jobs: FanoutJob[]) => {
          if (jobs[0]?.jobId === 'b-1' && failuresLeft-- > 0)
            return throwError(() => new Error('redis down'));
          return of(undefined);
        },
      };
      const routed = source.pipe(routeBatches(ports, options));
      // Frames: a@0 b@1. a fails at 0, retries at 10 (fails again) and at 30 (10 + 20 ms backoff),
      // then succeeds; b, queued behind a, is routed at once after it.
      expectObservable(
        new Observable<string>((s) =>
          routed.subscribe({
            next: (r) => s.next(`${r.delivery.id}#${r.attempts}`),
            complete: () => s.complete(),
          }),
        ),
      ).toBe('30ms (ab|)', { a: 'b-1#3', b: 'b-2#1' });
    });
  });
});
