import { describe, expect, it } from 'vitest';
import { parseNotificationConfiguration, renderNotificationConfiguration } from './config-xml.ts';

const context = { region: 'us-east-1', targets: new Set(['1:amqp', '1:redis']) };

describe('parseNotificationConfiguration', () => {
  it('reads the MinIO SDK form (no namespace, no Id), generates an Id and pins the region', () => {
    const config = parseNotificationConfiguration(
      '<NotificationConfiguration><QueueConfiguration><Queue>arn:minio:sqs::1:amqp</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter></QueueConfiguration></NotificationConfiguration>',
      context,
    );
    expect(config.queueConfigurations).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        idGenerated: true,
        arn: 'arn:minio:sqs:us-east-1:1:amqp',
        events: ['s3:ObjectCreated:*'],
        filterRules: [{ name: 'suffix', value: '.jpg' }],
      },
    ]);
  });

  it("keeps a generated Id generated through mc's read-modify-write; a client's own Id is its own", () => {
    const rule = (id: string, arn: string) =>
      `<QueueConfiguration>${id ? `<Id>${id}</Id>` : ''}<Queue>${arn}</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>`;
    const first = parseNotificationConfiguration(
      `<NotificationConfiguration>${rule('', 'arn:minio:sqs:us-east-1:1:amqp')}</NotificationConfiguration>`,
      context,
    );
    const generated = first.queueConfigurations[0]?.id as string;
    // What `mc event add` sends next: the rule as GET returned it (with its generated Id), plus a new one.
    const second = parseNotificationConfiguration(
      `<NotificationConfiguration>${rule(generated, 'arn:minio:sqs:us-east-1:1:amqp')}${rule('mine', 'arn:minio:sqs:us-east-1:1:redis')}</NotificationConfiguration>`,
      { ...context, generatedIds: new Set([generated]) },
    );
    expect(second.queueConfigurations.map((q) => [q.id, q.idGenerated ?? false])).toEqual([
      [generated, true],
      ['mine', false],
    ]);
  });

  it('accepts overlapping but not identical configurations, as MinIO does', () => {
    const q = (prefix: string) =>
      `<QueueConfiguration><Id>x</Id><Filter><S3Key><FilterRule><Name>prefix</Name><Value>${prefix}</Value></FilterRule></S3Key></Filter><Event>s3:ObjectCreated:*</Event><Queue>arn:minio:sqs:us-east-1:1:amqp</Queue></QueueConfiguration>`;
    const config = parseNotificationConfiguration(
      `<NotificationConfiguration>${q('a/')}${q('a/b/')}</NotificationConfiguration>`,
      context,
    );
    expect(config.queueConfigurations).toHaveLength(2);
  });

  it('treats an empty document as "no rules"', () => {
    expect(parseNotificationConfiguration('<NotificationConfiguration/>', context)).toEqual({
      queueConfigurations: [],
    });
  });
});

describe('renderNotificationConfiguration', () => {
  it('renders Id, Filter, Event, Queue in order and drops rules whose target is gone', () => {
    const xml = renderNotificationConfiguration(
      {
        queueConfigurations: [
          {
            id: 'a',
            arn: 'arn:minio:sqs:us-east-1:1:amqp',
            events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
            filterRules: [{ name: 'suffix', value: '.jpg' }],
          },
          {
            id: 'gone',
            arn: 'arn:minio:sqs:us-east-1:1:kafka',
            events: ['s3:ObjectCreated:*'],
            filterRules: [],
          },
        ],
      },
      context.targets,
    );
    expect(xml).toContain(
      '<QueueConfiguration><Id>a</Id><Filter><S3Key><FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter><Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:*</Event><Queue>arn:minio:sqs:us-east-1:1:amqp</Queue></QueueConfiguration>',
    );
    expect(xml).not.toContain('gone');
  });

  it('renders an empty configuration with the S3 namespace', () => {
    expect(renderNotificationConfiguration(undefined, context.targets)).toContain(
      '<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></NotificationConfiguration>',
    );
  });
});
