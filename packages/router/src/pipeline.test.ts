// Marble tests (RxJS TestScheduler) for the routing pipeline: rule matching and
// fan-out, dedup per target, per-key order under retries, and concurrency
// across keys.
import type { MutationRecord, NotificationConfiguration } from '@bucket-events/contracts';
import { Observable, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { mutation } from './enrich.test.ts';
import type { FanoutJob } from './fanout.ts';
import { inKeyOrder, type MutationDelivery, type RouterOptions, routeMutations } from './pipeline.ts';
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
  concurrency: 8,
  retryDelayMs: 10,
  maxRetryDelayMs: 40,
};

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const delivery = (overrides: Partial<MutationRecord>): MutationDelivery => ({
  mutation: mutation(overrides),
});

describe('routeMutations', () => {
  it('fans out to every matching target once, with the first matching rule id', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c|', {
        a: delivery({ key: 'photos/cat.jpg', eventName: 's3:ObjectCreated:Put' }),
        b: delivery({
          key: 'docs/readme.txt',
          eventName: 's3:ObjectCreated:Copy',
          sequencer: '0000000000000008',
        }),
        c: delivery({
          key: 'photos/cat.jpg',
          eventName: 's3:ObjectRemoved:Delete',
          sequencer: '0000000000000009',
        }),
      });
      const ports = { rules: () => of(compileRules(config)), enqueue: () => of(undefined) };
      const routed = source.pipe(routeMutations(ports, options));
      const summary = (jobs: FanoutJob[]) =>
        jobs.map((j) => `${j.queue}:${j.data.record.s3.configurationId}`);
      expectObservable(
        new Observable<string[]>((s) =>
          routed.subscribe({ next: (r) => s.next(summary(r.plan.jobs)), complete: () => s.complete() }),
        ),
      ).toBe('a-b-c|', {
        a: ['target.amqp.1:jpegs', 'target.kafka.1:all'],
        b: ['target.kafka.1:all'],
        c: ['target.kafka.1:all', 'target.redis.1:Config'],
      });
    });
  });

  it('reports rules whose target is not enabled here, and routes nothing for version 0', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b|', {
        a: delivery({ key: 'x.png' }),
        b: delivery({ key: 'y.png', configVersion: 0 }),
      });
      const ports = {
        rules: (_bucket: string, version: number) => of(version === 0 ? [] : compileRules(config)),
        enqueue: () => of(undefined),
      };
      const routed = source.pipe(routeMutations(ports, options));
      expectObservable(
        new Observable<string>((s) =>
          routed.subscribe({
            next: (r) => s.next(`${r.plan.jobs.length}/${r.plan.unknownArns.join(',')}`),
            complete: () => s.complete(),
          }),
        ),
      ).toBe('a-b|', { a: '1/arn:minio:sqs:us-east-1:9:nats', b: '0/' });
    });
  });

  it('retries a failing enqueue in place with backoff; later mutations of the same key wait, other keys do not', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('ab c|', {
        a: delivery({ key: 'k.jpg', sequencer: '0000000000000001' }),
        b: delivery({ key: 'k.jpg', sequencer: '0000000000000002' }),
        c: delivery({ key: 'other.jpg', sequencer: '0000000000000003' }),
      });
      let failuresLeft = 2;
      const ports = {
        rules: () => of(compileRules(config)),
        enqueue: (jobs: FanoutJob[]) => {
          if (jobs[0]?.data.sequencer === '0000000000000001' && failuresLeft-- > 0) {
            return throwError(() => new Error('redis down'));
          }
          return of(undefined);
        },
      };
      const routed = source.pipe(routeMutations(ports, options));
      // Frames: a@0 b@1 c@2. a fails at 0, retries at 10 (fails again) and at 30 (10 + 20 ms backoff),
      // then succeeds; b, queued behind a, runs at once after it; c was not held up.
      expectObservable(
        new Observable<string>((s) =>
          routed.subscribe({
            next: (r) => s.next(`${r.delivery.mutation.sequencer.slice(-1)}#${r.attempts}`),
            complete: () => s.complete(),
          }),
        ),
      ).toBe('--c 27ms (ab|)', { a: '1#3', b: '2#1', c: '3#1' });
    });
  });
});

describe('inKeyOrder', () => {
  it('never runs two items of a key at once and bounds concurrency across keys', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('(abcd)|', { a: 'x1', b: 'x2', c: 'y1', d: 'z1' });
      const work = (item: string) => cold('----(v|)', { v: item });
      const result = source.pipe(inKeyOrder((item) => item[0] as string, work, 2));
      // x1 and y1 take both slots at 0; x2 waits for x1 although a slot frees; z1, ready
      // earlier than x2, gets the first free slot; both finish at frame 8.
      expectObservable(result).toBe('----(ab)(cd|)', { a: 'x1', b: 'y1', c: 'z1', d: 'x2' });
    });
  });
});
