// The seed's three steps, end to end, for every target: (1) the target block in
// config.json, (2) `mc events add myminio/images <arn> --suffix .jpg` done
// through the S3 API as mc does it, (3) upload myphoto.jpg and read the event
// back the way the seed does — then myphoto.png (no event) and a delete of
// myphoto.jpg (s3:ObjectRemoved:Delete). One stack of production processes
// (ingest, router, every target app) serves every walkthrough; then the same
// walkthroughs again against the standalone process (all of them in one).
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  type Event,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type EventRecord, TARGET_KINDS, targetArn } from '@bucket-events/contracts';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDocument, type Observation, type SeedTarget, seedTargets } from './seed-targets.ts';
import { type Stack, startStack } from './stack.ts';

let stack: Stack;

/** What `mc event add TARGET ARN --suffix .jpg` does: read the configuration, append one rule, write it back. */
async function mcEventAdd(s3: S3Client, bucket: string, arn: string, suffix: string) {
  const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          ...(current.QueueConfigurations ?? []),
          {
            QueueArn: arn,
            // mc's default --event put,delete,get
            // (ObjectAccessed is MinIO's own name, so not in the SDK's Event type.)
            Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*', 's3:ObjectAccessed:*' as Event],
            Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: suffix }] } },
          },
        ],
      },
    }),
  );
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (logs: ${stack.logDir})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const eventsOf = (observation: Observation) => (observation.kind === 'events' ? observation.events : []);
const viewOf = (observation: Observation) => (observation.kind === 'view' ? observation.view : new Map());

function expectPutEvent(record: EventRecord, size: number, eTag: string) {
  expect(record).toMatchObject({
    eventVersion: '2.0',
    eventSource: 'aws:s3', // as the seed shows
    awsRegion: 'us-east-1',
    eventName: 's3:ObjectCreated:Put',
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'Config', // the rule was added without an Id, as mc adds it; the seed shows "Config"
      bucket: { name: 'images', arn: 'arn:aws:s3:::images' },
      object: { key: 'myphoto.jpg', size, eTag },
    },
  });
  expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{16}$/);
}

for (const mode of ['separate services', 'standalone'] as const) {
  // Each mode its own targets (index, list, table, …): one mode's events never show in the other's.
  const targets = await seedTargets(uniqueName);
  describe(`the seed walkthrough (${mode})`, () => {
    beforeAll(async () => {
      stack = await startStack({
        config: configDocument(targets),
        targets: [...TARGET_KINDS],
        redisUrl: loadServiceEndpoints().redisUrl,
        standalone: mode === 'standalone',
      });
    }, 120_000);
    afterAll(() => stack?.stop());
    for (const target of targets) walkthrough(target);
  });
}

function walkthrough(target: SeedTarget) {
  it(`${target.title}: a .jpg upload is delivered, a .png is not, the delete is`, async () => {
    const s3 = stack.s3;
    const arn = targetArn({ id: target.id, kind: target.kind }, 'us-east-1');
    const reader = await target.read();
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'images' }));
      await mcEventAdd(s3, 'images', arn, '.jpg');

      const photo = Buffer.from(`jpeg bytes for ${target.title} `.repeat(100));
      const eTag = createHash('md5').update(photo).digest('hex');
      const put = await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'myphoto.jpg', Body: photo }));
      expect(put.ETag).toBe(`"${eTag}"`);

      let putRecord: EventRecord;
      if (target.block.format === 'namespace') {
        putRecord = await until(
          async () => viewOf(await reader.observe()).get('images/myphoto.jpg'),
          'the row',
        );
      } else {
        [putRecord] = (await until(async () => {
          const seen = eventsOf(await reader.observe());
          return seen.length > 0 ? seen : undefined;
        }, 'the event')) as [EventRecord];
      }
      expectPutEvent(putRecord, photo.length, eTag);

      await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'myphoto.png', Body: Buffer.from('png') }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: 'myphoto.jpg' }));

      if (target.block.format === 'namespace') {
        // The view forgets a deleted object: its entry goes away.
        await until(
          async () => (viewOf(await reader.observe()).has('images/myphoto.jpg') ? undefined : true),
          'the delete',
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect([...viewOf(await reader.observe()).keys()]).toEqual([]);
      } else {
        const seen = await until(async () => {
          const all = eventsOf(await reader.observe());
          return all.some((record) => record.eventName === 's3:ObjectRemoved:Delete') ? all : undefined;
        }, 'the delete event');
        await new Promise((resolve) => setTimeout(resolve, 500)); // a stray .png event would show up by now
        const final = eventsOf(await reader.observe());
        expect(final.map((record) => [record.eventName, record.s3.object.key])).toEqual([
          ['s3:ObjectCreated:Put', 'myphoto.jpg'],
          ['s3:ObjectRemoved:Delete', 'myphoto.jpg'],
        ]);
        expect((seen[1] as EventRecord).s3.object.sequencer > putRecord.s3.object.sequencer).toBe(true);
      }
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: 'myphoto.png' })).catch(() => {});
      await s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: 'myphoto.jpg' })).catch(() => {});
      await s3.send(new DeleteBucketCommand({ Bucket: 'images' })).catch(() => {});
      await reader.close();
    }
  }, 120_000);
}
