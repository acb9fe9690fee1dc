import { describe, expect, it } from 'vitest';
import { eventNameMatches, isConfigurableEventName, wantsAccessEvents } from './event-names.ts';
import type { EventRecord } from './event-record.ts';
import { formatSequencer, parseMutationRecord } from './mutation.ts';
import { namespaceChange, type TargetJob } from './target-job.ts';
import {
  DEFAULT_METRICS_PORTS,
  deadLetterQueueName,
  parseArn,
  TARGET_KINDS,
  targetArn,
  targetQueueName,
} from './targets.ts';

describe('ARNs', () => {
  it('renders the seed ARN', () => {
    expect(targetArn({ id: '1', kind: 'amqp' }, 'us-east-1')).toBe('arn:minio:sqs:us-east-1:1:amqp');
  });

  it.each([
    ['arn:minio:sqs:us-east-1:1:amqp', { region: 'us-east-1', id: '1', type: 'amqp' }],
    ['arn:minio:sqs::primary:kafka', { region: '', id: 'primary', type: 'kafka' }],
    ['arn:minio:sqs:us-east-1::amqp', undefined],
    ['arn:minio:sqs:us-east-1:1:', undefined],
    ['arn:aws:sqs:us-east-1:1:amqp', undefined],
    ['arn:minio:sqs:us-east-1:1:amqp:extra', undefined],
    ['not an arn', undefined],
  ])('parses %s', (arn, expected) => {
    expect(parseArn(arn)).toEqual(expected);
  });

  it('names queues per target', () => {
    expect(targetQueueName({ id: '1', kind: 'kafka' })).toBe('target.kafka.1');
    expect(deadLetterQueueName({ id: '1', kind: 'kafka' })).toBe('target.kafka.1.dead');
  });
});

describe('event names', () => {
  it('matches wildcards by family only', () => {
    expect(eventNameMatches('s3:ObjectCreated:*', 's3:ObjectCreated:Put')).toBe(true);
    expect(eventNameMatches('s3:ObjectCreated:*', 's3:ObjectRemoved:Delete')).toBe(false);
    expect(eventNameMatches('s3:ObjectCreated:Put', 's3:ObjectCreated:Put')).toBe(true);
    expect(eventNameMatches('s3:ObjectCreated:Put', 's3:ObjectCreated:Copy')).toBe(false);
  });

  it('knows which names are configurable', () => {
    expect(isConfigurableEventName('s3:ObjectRemoved:*')).toBe(true);
    expect(isConfigurableEventName('s3:ObjectCreated:Everything')).toBe(false);
  });

  it('detects rules that want access events', () => {
    expect(wantsAccessEvents(['s3:ObjectCreated:*'])).toBe(false);
    expect(wantsAccessEvents(['s3:ObjectCreated:*', 's3:ObjectAccessed:Get'])).toBe(true);
  });
});

describe('mutation records', () => {
  it('formats the sequencer as 16 upper-case hex digits', () => {
    expect(formatSequencer(255)).toBe('00000000000000FF');
    expect(formatSequencer(2n ** 40n)).toBe('0000010000000000');
  });

  it('rejects a record of an unknown schema version, naming the field', () => {
    expect(() => parseMutationRecord({ schemaVersion: 2 })).toThrow(/schemaVersion/);
  });
});

describe('namespace views', () => {
  const record = (eventName: string) =>
    ({ eventName, s3: { object: { key: 'k', sequencer: '0000000000000001' } } }) as unknown as EventRecord;
  const job = (eventName: string, view?: TargetJob['view']): TargetJob => ({
    schemaVersion: 1,
    mutationId: '1',
    sequencer: '0000000000000001',
    bucket: 'b',
    key: 'k',
    arn: 'arn:minio:sqs:us-east-1:1:redis',
    record: record(eventName),
    ...(view ? { view } : {}),
  });

  it('sets the entry on creation and removes it on every removal, delete markers included', () => {
    expect(namespaceChange(job('s3:ObjectCreated:Put'))).toEqual({
      kind: 'set',
      document: { Records: [record('s3:ObjectCreated:Put')] },
    });
    for (const name of [
      's3:ObjectRemoved:Delete',
      's3:ObjectRemoved:DeleteMarkerCreated',
      's3:ObjectRemoved:NoOP',
    ])
      expect(namespaceChange(job(name)).kind).toBe('remove');
  });

  it('follows the job’s view when one version of a key went', () => {
    expect(namespaceChange(job('s3:ObjectRemoved:Delete', 'unchanged'))).toEqual({ kind: 'none' });
    const current = record('s3:ObjectRemoved:Delete');
    expect(namespaceChange(job('s3:ObjectRemoved:Delete', { current }))).toEqual({
      kind: 'set',
      document: { Records: [current] },
    });
  });
});

describe('DEFAULT_METRICS_PORTS', () => {
  it('keeps every process on its own port, the first six kinds where they always were', () => {
    expect(DEFAULT_METRICS_PORTS).toMatchObject({
      ingest: 9100,
      amqp: 9101,
      elasticsearch: 9102,
      redis: 9103,
      nats: 9104,
      postgresql: 9105,
      kafka: 9106,
      router: 9107,
    });
    const ports = Object.values(DEFAULT_METRICS_PORTS);
    expect(new Set(ports).size).toBe(ports.length);
    expect(Object.keys(DEFAULT_METRICS_PORTS).sort()).toEqual(['ingest', 'router', ...TARGET_KINDS].sort());
  });
});
