// Bucket notification configuration through the AWS SDK, the MinIO SDK and raw
// XML: validation errors with MinIO's codes and messages, versions published to
// Redis before the records that use them, ObjectAccessed records only on demand.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { notificationConfigKey } from '@bucket-events/contracts';
import { sha256Hex } from '@bucket-events/s3-protocol';
import { test } from '@bucket-events/testing';
import * as Minio from 'minio';
import { describe, expect } from 'vitest';
import {
  ACCESS_KEY,
  eventually,
  minioClient,
  SECRET_KEY,
  startTestIngest,
  type TestIngest,
} from '../test/harness.ts';
import { errorCode, send, signedHeaders } from '../test/raw-requests.ts';
import { NOTIFICATION_ERROR_MESSAGES as M } from './notification/config-xml.ts';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

async function putNotificationXml(
  t: TestIngest,
  bucket: string,
  xml: string,
  path = `/${bucket}?notification`,
) {
  const headers = await signedHeaders(t.endpoint, 'PUT', path, sha256Hex(xml), credentials, {
    'content-length': String(Buffer.byteLength(xml)),
    'content-type': 'application/xml',
  });
  return send(t.endpoint, 'PUT', path, headers, xml);
}

const queue = (inner: string, arn = 'arn:minio:sqs:us-east-1:1:amqp') =>
  `<QueueConfiguration>${inner}<Queue>${arn}</Queue></QueueConfiguration>`;
const doc = (...queues: string[]) =>
  `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${queues.join('')}</NotificationConfiguration>`;
const event = (name: string) => `<Event>${name}</Event>`;
const rule = (name: string, value: string) =>
  `<Filter><S3Key><FilterRule><Name>${name}</Name><Value>${value}</Value></FilterRule></S3Key></Filter>`;

describe('PUT ?notification validation (MinIO codes and messages)', () => {
  const cases: [string, string, number, string, string][] = [
    [
      'unknown event name',
      doc(queue(event('s3:ObjectCreated:Everything'))),
      400,
      'InvalidArgument',
      M.invalidEvent,
    ],
    [
      'malformed ARN',
      doc(queue(event('s3:ObjectCreated:*'), 'arn:minio:sqs:us-east-1:amqp')),
      400,
      'InvalidArgument',
      M.invalidArn,
    ],
    [
      'ARN of a target not configured',
      doc(queue(event('s3:ObjectCreated:*'), 'arn:minio:sqs:us-east-1:9:amqp')),
      400,
      'InvalidArgument',
      M.invalidArn,
    ],
    [
      'ARN of a disabled kind',
      doc(queue(event('s3:ObjectCreated:*'), 'arn:minio:sqs:us-east-1:1:postgresql')),
      400,
      'InvalidArgument',
      M.invalidArn,
    ],
    [
      'ARN in another region',
      doc(queue(event('s3:ObjectCreated:*'), 'arn:minio:sqs:eu-west-1:1:amqp')),
      400,
      'InvalidArgument',
      M.unknownRegion,
    ],
    [
      'filter name Prefix (capitalised)',
      doc(queue(rule('Prefix', 'a/') + event('s3:ObjectCreated:*'))),
      400,
      'InvalidArgument',
      M.filterName,
    ],
    [
      'two prefix rules',
      doc(
        queue(
          `<Filter><S3Key><FilterRule><Name>prefix</Name><Value>a</Value></FilterRule><FilterRule><Name>prefix</Name><Value>b</Value></FilterRule></S3Key></Filter>${event('s3:ObjectCreated:*')}`,
        ),
      ),
      400,
      'InvalidArgument',
      M.twoPrefixes,
    ],
    [
      'two suffix rules',
      doc(
        queue(
          `<Filter><S3Key><FilterRule><Name>suffix</Name><Value>a</Value></FilterRule><FilterRule><Name>suffix</Name><Value>b</Value></FilterRule></S3Key></Filter>${event('s3:ObjectCreated:*')}`,
        ),
      ),
      400,
      'InvalidArgument',
      M.twoSuffixes,
    ],
    [
      'filter value over 1024 bytes',
      doc(queue(rule('prefix', 'x'.repeat(1025)) + event('s3:ObjectCreated:*'))),
      400,
      'InvalidArgument',
      M.filterValue,
    ],
    [
      'the same event twice',
      doc(queue(event('s3:ObjectCreated:Put') + event('s3:ObjectCreated:Put'))),
      400,
      'InvalidArgument',
      M.duplicateEvent,
    ],
    [
      'two identical configurations',
      doc(
        queue(`<Id>a</Id>${event('s3:ObjectCreated:*')}`),
        queue(`<Id>a</Id>${event('s3:ObjectCreated:*')}`),
      ),
      400,
      'InvalidArgument',
      M.duplicateConfig,
    ],
    [
      'a TopicConfiguration',
      `<NotificationConfiguration><TopicConfiguration><Topic>arn:aws:sns:us-east-1:1:t</Topic>${event('s3:ObjectCreated:*')}</TopicConfiguration></NotificationConfiguration>`,
      400,
      'UnsupportedNotification',
      'MinIO server does not support Topic or Cloud Function based notifications.',
    ],
    [
      'no event',
      doc(queue('')),
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    ],
    [
      'broken XML',
      '<NotificationConfiguration><QueueConfiguration>',
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    ],
    [
      'an entity expansion',
      '<!DOCTYPE a [<!ENTITY b "c">]><NotificationConfiguration>&b;</NotificationConfiguration>',
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    ],
  ];

  test('each invalid document gets its error, and the stored configuration is unchanged', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
      const good = doc(queue(`<Id>keep</Id>${event('s3:ObjectCreated:*')}`));
      expect((await putNotificationXml(t, 'images', good)).status).toBe(200);
      for (const [name, xml, status, code, message] of cases) {
        const response = await putNotificationXml(t, 'images', xml);
        expect({ name, status: response.status, code: errorCode(response) }).toEqual({ name, status, code });
        expect(response.body).toContain(`<Message>${message.replaceAll("'", '&apos;')}</Message>`);
      }
      const stored = await t.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'images' }));
      expect(stored.QueueConfigurations?.map((q) => q.Id)).toEqual(['keep']);

      const empty = await putNotificationXml(t, 'images', '');
      expect([empty.status, errorCode(empty)]).toEqual([411, 'MissingContentLength']);
      const missing = await putNotificationXml(t, 'nobucket', good);
      expect([missing.status, errorCode(missing)]).toEqual([404, 'NoSuchBucket']);
    } finally {
      await t.stop();
    }
  });
});

describe('notification configuration round trips', () => {
  test('AWS SDK: PUT and GET (trailing slash and notification= as the SDK sends them)', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
      await t.s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'images',
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                Id: 'jpegs',
                QueueArn: 'arn:minio:sqs::1:amqp',
                Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
                Filter: {
                  Key: {
                    FilterRules: [
                      { Name: 'prefix', Value: 'photos/' },
                      { Name: 'suffix', Value: '.jpg' },
                    ],
                  },
                },
              },
              {
                QueueArn: 'arn:minio:sqs:us-east-1:primary:nats',
                Events: ['s3:ObjectAccessed:Get' as 's3:ObjectCreated:*'],
              },
            ],
          },
        }),
      );
      const got = await t.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'images' }));
      expect(got.QueueConfigurations?.[0]).toEqual({
        Id: 'jpegs',
        QueueArn: 'arn:minio:sqs:us-east-1:1:amqp',
        Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
        Filter: {
          Key: {
            FilterRules: [
              { Name: 'prefix', Value: 'photos/' },
              { Name: 'suffix', Value: '.jpg' },
            ],
          },
        },
      });
      expect(got.QueueConfigurations?.[1]?.Id).toMatch(/^[0-9a-f]{24}$/);
      expect(got.QueueConfigurations?.[1]?.QueueArn).toBe('arn:minio:sqs:us-east-1:primary:nats');

      // An empty configuration removes every rule.
      await t.s3.send(
        new PutBucketNotificationConfigurationCommand({ Bucket: 'images', NotificationConfiguration: {} }),
      );
      const cleared = await t.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'images' }));
      expect(cleared.QueueConfigurations ?? []).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  test('MinIO SDK: setBucketNotification without xmlns or Id, getBucketNotification', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const mc = minioClient(t.endpoint);
      await mc.makeBucket('images', 'us-east-1');
      const config = new Minio.NotificationConfig();
      const q = new Minio.QueueConfig(Minio.buildARN('minio', 'sqs', 'us-east-1', '1', 'amqp'));
      q.addEvent(Minio.ObjectCreatedAll);
      q.addEvent(Minio.ObjectRemovedAll);
      q.addFilterSuffix('.jpg');
      config.add(q);
      await mc.setBucketNotification('images', config);
      const got = (await mc.getBucketNotification('images')) as unknown as {
        QueueConfiguration: { Queue: string; Event: string[]; Filter: unknown }[];
      };
      expect(got.QueueConfiguration).toHaveLength(1);
      expect(got.QueueConfiguration[0]?.Queue).toBe('arn:minio:sqs:us-east-1:1:amqp');
      expect(got.QueueConfiguration[0]?.Event).toEqual(['s3:ObjectCreated:*', 's3:ObjectRemoved:*']);
      await mc.putObject('images', 'myphoto.jpg', Buffer.from('jpeg bytes'));
      const stat = await mc.statObject('images', 'myphoto.jpg');
      expect(stat.size).toBe(10);
    } finally {
      await t.stop();
    }
  });

  test('each version is published to Redis before the records that carry it; rule changes need no restart', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const t = await startTestIngest(redis.url, prefix);
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
      await t.s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'before.jpg', Body: '1' }));
      expect(
        (await putNotificationXml(t, 'images', doc(queue(`<Id>v1</Id>${event('s3:ObjectCreated:*')}`))))
          .status,
      ).toBe(200);
      await t.s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'during.jpg', Body: '2' }));
      // GET and HEAD are not recorded: no rule wants ObjectAccessed yet.
      await t.s3.send(new GetObjectCommand({ Bucket: 'images', Key: 'during.jpg' }));
      expect(
        (
          await putNotificationXml(
            t,
            'images',
            doc(queue(`<Id>v2</Id>${event('s3:ObjectAccessed:*')}`, 'arn:minio:sqs:us-east-1:primary:nats')),
          )
        ).status,
      ).toBe(200);
      const got = await t.s3.send(new GetObjectCommand({ Bucket: 'images', Key: 'during.jpg' }));
      await got.Body?.transformToString();
      await t.s3.send(new HeadObjectCommand({ Bucket: 'images', Key: 'during.jpg' }));

      const records = await eventually(async () => {
        const all = await t.mutationRecords();
        return all.length >= 4 ? all : undefined;
      });
      // A store's first version starts above its creation time (storage/schema.ts); then one by one.
      const first = records[1]?.configVersion as number;
      expect(first).toBeGreaterThan(0);
      expect(records.map((r) => [r.eventName, r.key, r.configVersion])).toEqual([
        ['s3:ObjectCreated:Put', 'before.jpg', 0],
        ['s3:ObjectCreated:Put', 'during.jpg', first],
        ['s3:ObjectAccessed:Get', 'during.jpg', first + 1],
        ['s3:ObjectAccessed:Head', 'during.jpg', first + 1],
      ]);
      const v1 = JSON.parse(
        (await redis.client.get(notificationConfigKey(prefix, 'images', first))) ?? 'null',
      );
      const v2 = JSON.parse(
        (await redis.client.get(notificationConfigKey(prefix, 'images', first + 1))) ?? 'null',
      );
      expect(v1.queueConfigurations[0]).toMatchObject({
        id: 'v1',
        arn: 'arn:minio:sqs:us-east-1:1:amqp',
        events: ['s3:ObjectCreated:*'],
      });
      expect(v2.queueConfigurations[0]).toMatchObject({ id: 'v2', events: ['s3:ObjectAccessed:*'] });
    } finally {
      await t.stop();
    }
  });

  test('a bucket deleted and created again starts without rules and never reuses a version', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const t = await startTestIngest(redis.url, prefix);
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
      expect(
        (await putNotificationXml(t, 'images', doc(queue(`<Id>old</Id>${event('s3:ObjectCreated:*')}`))))
          .status,
      ).toBe(200);
      await t.s3.send(new DeleteBucketCommand({ Bucket: 'images' }));
      await t.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
      const fresh = await t.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'images' }));
      expect(fresh.QueueConfigurations ?? []).toEqual([]);
      await t.s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'a.jpg', Body: '1' }));
      expect(
        (await putNotificationXml(t, 'images', doc(queue(`<Id>new</Id>${event('s3:ObjectRemoved:*')}`))))
          .status,
      ).toBe(200);
      await t.s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: 'a.jpg' }));
      const records = await eventually(async () => {
        const all = await t.mutationRecords();
        return all.length >= 2 ? all : undefined;
      });
      const version = records[1]?.configVersion as number;
      expect(records.map((r) => [r.eventName, r.configVersion])).toEqual([
        ['s3:ObjectCreated:Put', 0],
        ['s3:ObjectRemoved:Delete', version],
      ]);
      // The re-created bucket's version follows the old bucket's, which stays as it was.
      const published = async (v: number) =>
        JSON.parse((await redis.client.get(notificationConfigKey(prefix, 'images', v))) ?? 'null');
      expect((await published(version)).queueConfigurations[0]).toMatchObject({ id: 'new' });
      expect((await published(version - 1)).queueConfigurations[0]).toMatchObject({ id: 'old' });
    } finally {
      await t.stop();
    }
  });
});
