// Bucket versioning through the AWS SDK and the MinIO SDK against a real ingest:
// version ids, delete markers, reading, copying and deleting by version, the
// version listing (with its markers and pages), suspended versioning's null
// version, and the mutation records each step commits.
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { MutationRecord } from '@bucket-events/contracts';
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { eventually, minioClient, s3Error, startTestIngest, type TestIngest } from '../test/harness.ts';

async function body(s3: S3Client, Bucket: string, Key: string, VersionId?: string): Promise<string> {
  const answer = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return (await answer.Body?.transformToString()) ?? '';
}

async function put(s3: S3Client, Bucket: string, Key: string, Body: string): Promise<string> {
  const answer = await s3.send(new PutObjectCommand({ Bucket, Key, Body }));
  return answer.VersionId ?? 'none';
}

/** The listing as `key:versionId:kind:latest` lines, in the order the server gave them. */
function versionLines(listing: ListObjectVersionsCommandOutput, order: string[]): string[] {
  const all = [
    ...(listing.Versions ?? []).map((v) => ({ ...v, kind: 'v' })),
    ...(listing.DeleteMarkers ?? []).map((m) => ({ ...m, kind: 'm' })),
  ];
  // The SDK splits the two kinds; the server's order is kept by sorting on it.
  return all
    .map((entry) => `${entry.Key}:${entry.VersionId}:${entry.kind}:${entry.IsLatest}`)
    .sort((a, b) => order.indexOf(a.split(':')[1] ?? '') - order.indexOf(b.split(':')[1] ?? ''));
}

/** The records committed after `after` (a sequencer), once `count` of them are in the queue. */
async function recordsAfter(t: TestIngest, after: string, count: number): Promise<MutationRecord[]> {
  return eventually(async () => {
    const records = (await t.mutationRecords()).filter((record) => record.sequencer > after);
    return records.length >= count ? records : undefined;
  });
}

/** The newest record's sequencer, once every record committed so far has reached the queue. */
async function lastSequencer(t: TestIngest): Promise<string> {
  await eventually(async () => (t.ingest.store.outbox.outboxSize() === 0 ? true : undefined));
  return (await t.mutationRecords()).at(-1)?.sequencer ?? '';
}

describe('bucket versioning', () => {
  test('keeps every version, hides a key behind a delete marker, and deletes versions for good', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const { s3 } = t;
      await s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'photos' }))).Status).toBeUndefined();
      // Before versioning: a null version, and no version header on the answer.
      expect(await put(s3, 'photos', 'a.jpg', 'zero')).toBe('none');
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: 'photos', VersioningConfiguration: { Status: 'Enabled' } }),
      );
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'photos' }))).Status).toBe('Enabled');
      const before = await lastSequencer(t);

      const v1 = await put(s3, 'photos', 'a.jpg', 'one');
      const v2 = await put(s3, 'photos', 'a.jpg', 'two');
      expect(v1).toMatch(/^[0-9a-f-]{36}$/);
      expect(v2).not.toBe(v1);
      expect(await body(s3, 'photos', 'a.jpg')).toBe('two');
      expect(await body(s3, 'photos', 'a.jpg', v1)).toBe('one');
      expect(await body(s3, 'photos', 'a.jpg', 'null')).toBe('zero');
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'a.jpg', VersionId: v1 }));
      expect([head.VersionId, head.ContentLength]).toEqual([v1, 3]);

      // DELETE without a version id: a delete marker becomes the newest version.
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'a.jpg' }));
      expect(deleted.DeleteMarker).toBe(true);
      const marker = deleted.VersionId ?? '';
      expect(marker).toMatch(/^[0-9a-f-]{36}$/);
      expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.jpg' })))).toMatchObject({
        code: 'NoSuchKey',
        status: 404,
      });
      expect(
        await s3Error(s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.jpg', VersionId: marker }))),
      ).toMatchObject({ status: 405 });
      expect(
        await s3Error(
          s3.send(
            new GetObjectCommand({
              Bucket: 'photos',
              Key: 'a.jpg',
              VersionId: '00000000-0000-4000-8000-000000000000',
            }),
          ),
        ),
      ).toMatchObject({ code: 'NoSuchVersion', status: 404 });
      expect((await s3.send(new ListObjectsV2Command({ Bucket: 'photos' }))).KeyCount).toBe(0);
      const order = [marker, v2, v1, 'null'];
      expect(versionLines(await s3.send(new ListObjectVersionsCommand({ Bucket: 'photos' })), order)).toEqual(
        [`a.jpg:${marker}:m:true`, `a.jpg:${v2}:v:false`, `a.jpg:${v1}:v:false`, 'a.jpg:null:v:false'],
      );

      // Removing the marker brings the newest version back; removing that one, the next.
      const unmarked = await s3.send(
        new DeleteObjectCommand({ Bucket: 'photos', Key: 'a.jpg', VersionId: marker }),
      );
      expect([unmarked.DeleteMarker, unmarked.VersionId]).toEqual([true, marker]);
      expect(await body(s3, 'photos', 'a.jpg')).toBe('two');
      await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'a.jpg', VersionId: v2 }));
      expect(await body(s3, 'photos', 'a.jpg')).toBe('one');
      // A noncurrent version goes without touching the current one.
      await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'a.jpg', VersionId: 'null' }));
      expect(await body(s3, 'photos', 'a.jpg')).toBe('one');

      // Copying an older version.
      const v3 = await put(s3, 'photos', 'a.jpg', 'three');
      const copied = await s3.send(
        new CopyObjectCommand({
          Bucket: 'photos',
          Key: 'b.jpg',
          CopySource: `photos/a.jpg?versionId=${v1}`,
        }),
      );
      expect(copied.CopySourceVersionId).toBe(v1);
      expect(await body(s3, 'photos', 'b.jpg')).toBe('one');
      expect(await body(s3, 'photos', 'a.jpg')).toBe('three');

      const records = await recordsAfter(t, before, 8);
      const shown = (index: number, versionId: string) => ({
        size: 3,
        eTag: records[index]?.eTag,
        contentType: records[index]?.contentType,
        userMetadata: {},
        versionId,
      });
      expect(records.map((r) => [r.eventName, r.key, r.versionId, r.current])).toEqual([
        ['s3:ObjectCreated:Put', 'a.jpg', v1, undefined],
        ['s3:ObjectCreated:Put', 'a.jpg', v2, undefined],
        ['s3:ObjectRemoved:DeleteMarkerCreated', 'a.jpg', marker, undefined],
        // Each deletion of one version says what the key shows afterwards, for namespace views.
        ['s3:ObjectRemoved:Delete', 'a.jpg', marker, shown(1, v2)],
        ['s3:ObjectRemoved:Delete', 'a.jpg', v2, shown(0, v1)],
        ['s3:ObjectRemoved:Delete', 'a.jpg', undefined, 'unchanged'],
        ['s3:ObjectCreated:Put', 'a.jpg', v3, undefined],
        ['s3:ObjectCreated:Copy', 'b.jpg', copied.VersionId, undefined],
      ]);

      // A bucket with versions left is not empty; once every version is gone it can be removed.
      expect(await s3Error(s3.send(new DeleteBucketCommand({ Bucket: 'photos' })))).toMatchObject({
        code: 'BucketNotEmpty',
      });
      const remaining = await s3.send(new ListObjectVersionsCommand({ Bucket: 'photos' }));
      const all = [...(remaining.Versions ?? []), ...(remaining.DeleteMarkers ?? [])];
      const multi = await s3.send(
        new DeleteObjectsCommand({
          Bucket: 'photos',
          Delete: { Objects: all.map(({ Key, VersionId }) => ({ Key, VersionId })) },
        }),
      );
      expect(multi.Deleted?.map((d) => d.VersionId).sort()).toEqual(all.map((v) => v.VersionId).sort());
      await s3.send(new DeleteBucketCommand({ Bucket: 'photos' }));
    } finally {
      await t.stop();
    }
  });

  test('suspended versioning overwrites the null version and keeps the others', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const { s3 } = t;
      await s3.send(new CreateBucketCommand({ Bucket: 'docs' }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: 'docs', VersioningConfiguration: { Status: 'Enabled' } }),
      );
      const kept = await put(s3, 'docs', 'x', 'kept');
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: 'docs', VersioningConfiguration: { Status: 'Suspended' } }),
      );
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'docs' }))).Status).toBe('Suspended');
      expect(await put(s3, 'docs', 'x', 'first null')).toBe('null');
      expect(await put(s3, 'docs', 'x', 'second null')).toBe('null');
      const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: 'docs' }));
      expect(listing.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
        ['null', true, 11],
        [kept, false, 4],
      ]);
      // A delete marker with the null version id replaces the null object.
      const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'x' }));
      expect([marker.DeleteMarker, marker.VersionId]).toEqual([true, 'null']);
      const after = await s3.send(new ListObjectVersionsCommand({ Bucket: 'docs' }));
      expect(after.Versions?.map((v) => v.VersionId)).toEqual([kept]);
      expect(after.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([['null', true]]);
      expect(await body(s3, 'docs', 'x', kept)).toBe('kept');
    } finally {
      await t.stop();
    }
  });

  test('lists versions in pages, with prefixes, through the AWS SDK and the MinIO SDK', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const { s3 } = t;
      await s3.send(new CreateBucketCommand({ Bucket: 'pages' }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: 'pages', VersioningConfiguration: { Status: 'Enabled' } }),
      );
      const expected: string[] = [];
      for (const key of ['a', 'b', 'dir/c']) {
        const ids = [];
        for (let i = 0; i < 3; i++) ids.push(await put(s3, 'pages', key, `${key}${i}`));
        expected.push(...ids.reverse().map((id) => `${key}:${id}`));
      }
      // One entry per page, following NextKeyMarker and NextVersionIdMarker.
      const paged: string[] = [];
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await s3.send(
          new ListObjectVersionsCommand({
            Bucket: 'pages',
            MaxKeys: 1,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
          }),
        );
        paged.push(...(page.Versions ?? []).map((v) => `${v.Key}:${v.VersionId}`));
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
      }
      expect(paged).toEqual(expected);
      const folded = await s3.send(new ListObjectVersionsCommand({ Bucket: 'pages', Delimiter: '/' }));
      expect(folded.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/']);
      expect(folded.Versions).toHaveLength(6);

      // The MinIO SDK (as mc ls --versions uses it) sees the same versions, in order.
      const minio = minioClient(t.endpoint);
      const viaMinio: string[] = [];
      for await (const item of minio.listObjects('pages', '', true, { IncludeVersion: true }))
        viaMinio.push(`${item.name}:${item.versionId}`);
      expect(viaMinio).toEqual(expected);
      await minio.removeObject('pages', 'a', { versionId: expected[0]?.split(':')[1] ?? '' });
      const stat = await minio.statObject('pages', 'a');
      expect(stat.versionId).toBe(expected[1]?.split(':')[1]);
    } finally {
      await t.stop();
    }
  });

  test('tags one version without touching the others, and events it with that version', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const { s3 } = t;
      await s3.send(new CreateBucketCommand({ Bucket: 'tags' }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: 'tags', VersioningConfiguration: { Status: 'Enabled' } }),
      );
      const old = await put(s3, 'tags', 'k', 'old');
      const current = await put(s3, 'tags', 'k', 'current');
      const before = await lastSequencer(t);
      const tag = (VersionId: string | undefined, Value: string) =>
        s3.send(
          new PutObjectTaggingCommand({
            Bucket: 'tags',
            Key: 'k',
            VersionId,
            Tagging: { TagSet: [{ Key: 'which', Value }] },
          }),
        );
      expect((await tag(old, 'old')).VersionId).toBe(old);
      await tag(undefined, 'current');
      const tagsOf = async (VersionId?: string) =>
        (await s3.send(new GetObjectTaggingCommand({ Bucket: 'tags', Key: 'k', VersionId }))).TagSet?.map(
          (tag) => tag.Value,
        );
      expect(await tagsOf(old)).toEqual(['old']);
      expect(await tagsOf(current)).toEqual(['current']);
      expect(await tagsOf()).toEqual(['current']);
      const records = await recordsAfter(t, before, 2);
      expect(records.map((r) => [r.eventName, r.versionId, r.current])).toEqual([
        ['s3:ObjectCreated:PutTagging', old, 'unchanged'],
        ['s3:ObjectCreated:PutTagging', current, undefined],
      ]);
    } finally {
      await t.stop();
    }
  });

  test('a completed multipart upload is a new version', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const { s3 } = t;
      await s3.send(new CreateBucketCommand({ Bucket: 'parts' }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: 'parts', VersioningConfiguration: { Status: 'Enabled' } }),
      );
      const first = await put(s3, 'parts', 'big', 'small first');
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'parts', Key: 'big' }));
      const part = await s3.send(
        new UploadPartCommand({ Bucket: 'parts', Key: 'big', UploadId, PartNumber: 1, Body: 'one part' }),
      );
      const completed = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'parts',
          Key: 'big',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      expect(completed.VersionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(completed.VersionId).not.toBe(first);
      expect(await body(s3, 'parts', 'big')).toBe('one part');
      expect(await body(s3, 'parts', 'big', first)).toBe('small first');
    } finally {
      await t.stop();
    }
  });

  test('answers a malformed version id with 400 and a wrong configuration with S3’s code', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const { s3 } = t;
      await s3.send(new CreateBucketCommand({ Bucket: 'bad' }));
      await put(s3, 'bad', 'k', 'v');
      expect(
        await s3Error(s3.send(new GetObjectCommand({ Bucket: 'bad', Key: 'k', VersionId: 'not-a-version' }))),
      ).toMatchObject({ code: 'InvalidArgument', status: 400 });
      expect(
        await s3Error(
          s3.send(
            new PutBucketVersioningCommand({
              Bucket: 'bad',
              VersioningConfiguration: { Status: 'Off' as 'Enabled' },
            }),
          ),
        ),
      ).toMatchObject({ code: 'IllegalVersioningConfigurationException', status: 400 });
      // The key still reads as before.
      expect(await body(s3, 'bad', 'k')).toBe('v');
    } finally {
      await t.stop();
    }
  });
});
