import { describe, expect, it } from 'vitest';
import { eventNameMatches, isConfigurableEventName, wantsAccessEvents } from './event-names.ts';
import { formatSequencer, parseMutationRecord } from './mutation.ts';
import { deadLetterQueueName, parseArn, targetArn, targetQueueName } from './targets.ts';

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
