// Buckets and objects through the real AWS SDK v3 against a real ingest server
// (with its outbox relayed to the real Redis).
import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutBucketTaggingCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { eventually, minioClient, s3Error, startTestIngest, type TestIngest } from '../test/harness.ts';

let t: TestIngest;
const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

describe('buckets and objects (AWS SDK v3)', () => {
  test('bucket lifecycle', async ({ redis }) => {
    t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
      await t.s3.send(new HeadBucketCommand({ Bucket: 'images' }));
      expect((await t.s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['images']);
      expect(
        (await t.s3.send(new GetBucketLocationCommand({ Bucket: 'images' }))).LocationConstraint,
      ).toBeUndefined();
      expect(await s3Error(t.s3.send(new CreateBucketCommand({ Bucket: 'images' })))).toMatchObject({
        code: 'BucketAlreadyOwnedByYou',
        status: 409,
      });
      expect(await s3Error(t.s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })))).toMatchObject({
        code: 'InvalidBucketName',
        status: 400,
      });
      await t.s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'a', Body: 'x' }));
      expect(await s3Error(t.s3.send(new DeleteBucketCommand({ Bucket: 'images' })))).toMatchObject({
        code: 'BucketNotEmpty',
        status: 409,
        message: 'The bucket you tried to delete is not empty',
      });
      await t.s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: 'a' }));
      await t.s3.send(new DeleteBucketCommand({ Bucket: 'images' }));
      expect(await s3Error(t.s3.send(new HeadBucketCommand({ Bucket: 'images' })))).toMatchObject({
        status: 404,
      });
      expect(await s3Error(t.s3.send(new GetObjectCommand({ Bucket: 'images', Key: 'a' })))).toMatchObject({
        code: 'NoSuchBucket',
        status: 404,
        message: 'The specified bucket does not exist',
      });
    } finally {
      await t.stop();
    }
  });
});

describe('objects', () => {
  test('round-trips 0 B, 1 B and awkward keys with MD5 ETags, metadata and a HEAD right after PUT', async ({
    redis,
  }) => {
    t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
      const cases: [string, string][] = [
        ['empty', ''],
        ['one', 'x'],
        ['with space/and more spaces.txt', 'spaces'],
        ['unicode/日本語/ファイル é.jpg', 'unicode'],
        ['plus+and%percent%20literal.txt', 'plus'],
        ['deep/a/b/c/d/e.bin', 'deep'],
        ['../../etc/passwd', 'traversal'],
        ["quote's & <angle>.txt", 'xml'],
      ];
      for (const [key, body] of cases) {
        const put = await t.s3.send(
          new PutObjectCommand({
            Bucket: 'bkt',
            Key: key,
            Body: body,
            ContentType: 'text/plain',
            Metadata: { owner: 'alice' },
            CacheControl: 'max-age=60',
          }),
        );
        expect(put.ETag).toBe(`"${md5(body)}"`);
        const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'bkt', Key: key }));
        expect(head).toMatchObject({
          ContentLength: body.length,
          ETag: `"${md5(body)}"`,
          ContentType: 'text/plain',
        });
        expect(head.Metadata).toEqual({ owner: 'alice' });
        expect(head.CacheControl).toBe('max-age=60');
        const got = await t.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: key }));
        expect(await got.Body?.transformToString()).toBe(body);
      }
      // Keys never become paths: the traversal key lives inside the bucket like any other.
      const versions = await t.s3.send(new ListObjectVersionsCommand({ Bucket: 'bkt' }));
      expect(versions.Versions?.map((v) => v.Key).sort()).toEqual(cases.map(([key]) => key).sort());
      expect(versions.Versions?.every((v) => v.VersionId === 'null' && v.IsLatest)).toBe(true);
    } finally {
      await t.stop();
    }
  });

  test('checksums: CRC32, CRC32C and CRC64NVME verified on PUT and returned on GET/HEAD; a wrong one or a wrong Content-MD5 is BadDigest and leaves nothing', async ({
    redis,
  }) => {
    t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
      const put = await t.s3.send(
        new PutObjectCommand({ Bucket: 'bkt', Key: 'c', Body: 'hello world', ChecksumAlgorithm: 'CRC32' }),
      );
      expect(put.ChecksumCRC32).toBe('DUoRhQ==');
      const head = await t.s3.send(
        new HeadObjectCommand({ Bucket: 'bkt', Key: 'c', ChecksumMode: 'ENABLED' }),
      );
      expect(head.ChecksumCRC32).toBe('DUoRhQ==');
      const got = await t.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'c', ChecksumMode: 'ENABLED' }));
      expect(await got.Body?.transformToString()).toBe('hello world');

      // CRC32C and CRC64NVME, which current SDKs and CLIs offer: the published check values of "123456789".
      const crc32c = await t.s3.send(
        new PutObjectCommand({ Bucket: 'bkt', Key: 'c32c', Body: '123456789', ChecksumAlgorithm: 'CRC32C' }),
      );
      expect(crc32c.ChecksumCRC32C).toBe('4waSgw==');
      const crc64 = await t.s3.send(
        new PutObjectCommand({
          Bucket: 'bkt',
          Key: 'c64',
          Body: '123456789',
          ChecksumAlgorithm: 'CRC64NVME',
        }),
      );
      expect(crc64.ChecksumCRC64NVME).toBe('rosUhgp5mIg=');
      const head64 = await t.s3.send(
        new HeadObjectCommand({ Bucket: 'bkt', Key: 'c64', ChecksumMode: 'ENABLED' }),
      );
      expect(head64.ChecksumCRC64NVME).toBe('rosUhgp5mIg=');
      const wrong = await s3Error(
        t.s3.send(
          new PutObjectCommand({ Bucket: 'bkt', Key: 'w', Body: '123456789', ChecksumCRC32C: 'AAAAAA==' }),
        ),
      );
      expect([wrong.code, wrong.status]).toEqual(['BadDigest', 400]);

      const wrongMd5 = Buffer.from(md5('other'), 'hex').toString('base64');
      expect(
        await s3Error(
          t.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'bad', Body: 'hello', ContentMD5: wrongMd5 })),
        ),
      ).toMatchObject({ code: 'BadDigest', status: 400 });
      expect(await s3Error(t.s3.send(new HeadObjectCommand({ Bucket: 'bkt', Key: 'bad' })))).toMatchObject({
        status: 404,
      });
      await eventually(async () => ((await t.mutationRecords()).length === 3 ? true : undefined));
      expect((await t.mutationRecords()).map((r) => r.key)).toEqual(['c', 'c32c', 'c64']);
    } finally {
      await t.stop();
    }
  });

  test('ranges and conditional requests', async ({ redis }) => {
    t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
      const put = await t.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'r', Body: '0123456789' }));
      const range = async (Range: string) => {
        const out = await t.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'r', Range }));
        return [await out.Body?.transformToString(), out.ContentRange];
      };
      expect(await range('bytes=0-0')).toEqual(['0', 'bytes 0-0/10']);
      expect(await range('bytes=3-5')).toEqual(['345', 'bytes 3-5/10']);
      expect(await range('bytes=7-')).toEqual(['789', 'bytes 7-9/10']);
      expect(await range('bytes=-2')).toEqual(['89', 'bytes 8-9/10']);
      expect(await range('bytes=5-100')).toEqual(['56789', 'bytes 5-9/10']);
      expect(
        await s3Error(t.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'r', Range: 'bytes=10-' }))),
      ).toMatchObject({
        code: 'InvalidRange',
        status: 416,
      });
      expect(
        await s3Error(t.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'r', IfMatch: '"nope"' }))),
      ).toMatchObject({ code: 'PreconditionFailed', status: 412 });
      expect(
        await s3Error(t.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'r', IfNoneMatch: put.ETag }))),
      ).toMatchObject({ status: 304 });
      const future = new Date(Date.now() + 3600_000);
      expect(
        await s3Error(t.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'r', IfModifiedSince: future }))),
      ).toMatchObject({ status: 304 });
      expect(
        await s3Error(
          t.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'r', IfUnmodifiedSince: new Date(0) })),
        ),
      ).toMatchObject({ code: 'PreconditionFailed' });
      const ok = await t.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'r', IfMatch: put.ETag }));
      expect(await ok.Body?.transformToString()).toBe('0123456789');
    } finally {
      await t.stop();
    }
  });

  test('copy with COPY and REPLACE directives, delete (a missing key: NoOP) and multi-delete (quiet too), each evented once', async ({
    redis,
  }) => {
    t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
      await t.s3.send(
        new PutObjectCommand({
          Bucket: 'bkt',
          Key: 'src.txt',
          Body: 'source',
          ContentType: 'text/plain',
          Metadata: { a: '1' },
        }),
      );
      await t.s3.send(new CopyObjectCommand({ Bucket: 'bkt', Key: 'copy1.txt', CopySource: 'bkt/src.txt' }));
      const copied = await t.s3.send(new HeadObjectCommand({ Bucket: 'bkt', Key: 'copy1.txt' }));
      expect(copied).toMatchObject({
        ContentType: 'text/plain',
        Metadata: { a: '1' },
        ETag: `"${md5('source')}"`,
      });
      await t.s3.send(
        new CopyObjectCommand({
          Bucket: 'bkt',
          Key: 'copy 2.txt',
          CopySource: `bkt/${encodeURIComponent('src.txt')}`,
          MetadataDirective: 'REPLACE',
          ContentType: 'application/json',
          Metadata: { b: '2' },
        }),
      );
      const replaced = await t.s3.send(new HeadObjectCommand({ Bucket: 'bkt', Key: 'copy 2.txt' }));
      expect(replaced).toMatchObject({ ContentType: 'application/json', Metadata: { b: '2' } });
      expect(
        await s3Error(
          t.s3.send(new CopyObjectCommand({ Bucket: 'bkt', Key: 'x', CopySource: 'bkt/missing' })),
        ),
      ).toMatchObject({ code: 'NoSuchKey' });

      await t.s3.send(new DeleteObjectCommand({ Bucket: 'bkt', Key: 'copy1.txt' }));
      await t.s3.send(new DeleteObjectCommand({ Bucket: 'bkt', Key: 'never-existed' }));
      const loud = await t.s3.send(
        new DeleteObjectsCommand({
          Bucket: 'bkt',
          Delete: { Objects: [{ Key: 'copy 2.txt' }, { Key: 'ghost' }] },
        }),
      );
      expect(loud.Deleted?.map((d) => d.Key)).toEqual(['copy 2.txt', 'ghost']);
      const quiet = await t.s3.send(
        new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'src.txt' }], Quiet: true } }),
      );
      expect(quiet.Deleted ?? []).toEqual([]);

      const records = await eventually(async () => {
        const all = await t.mutationRecords();
        return all.length >= 7 ? all : undefined;
      });
      // A DELETE of a key that was not there is MinIO's NoOP; a multi-delete events only what it removed.
      expect(records.map((r) => [r.eventName, r.key])).toEqual([
        ['s3:ObjectCreated:Put', 'src.txt'],
        ['s3:ObjectCreated:Copy', 'copy1.txt'],
        ['s3:ObjectCreated:Copy', 'copy 2.txt'],
        ['s3:ObjectRemoved:Delete', 'copy1.txt'],
        ['s3:ObjectRemoved:NoOP', 'never-existed'],
        ['s3:ObjectRemoved:Delete', 'copy 2.txt'],
        ['s3:ObjectRemoved:Delete', 'src.txt'],
      ]);
      const sequencers = records.map((r) => r.sequencer);
      expect([...sequencers].sort()).toEqual(sequencers);
      expect(new Set(sequencers).size).toBe(sequencers.length);
      expect(records[0]).toMatchObject({
        bucket: 'bkt',
        size: 6,
        eTag: md5('source'),
        contentType: 'text/plain',
        userMetadata: { 'x-amz-meta-a': '1' },
        request: { principalId: 'minioadmin', region: 'us-east-1', sourceIp: '127.0.0.1' },
      });
      expect(records[0]?.request.userAgent).toMatch(/aws-sdk-js/);
    } finally {
      await t.stop();
    }
  });

  test('conditional PUT: If-None-Match * and If-Match, atomic under a race, and a refused write is not evented', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'cond' }));
      const put = (body: string, extra: { IfNoneMatch?: string; IfMatch?: string }) =>
        t.s3.send(new PutObjectCommand({ Bucket: 'cond', Key: 'k', Body: body, ...extra }));
      const created = await put('one', { IfNoneMatch: '*' });
      expect((await s3Error(put('two', { IfNoneMatch: '*' }))).status).toBe(412);
      expect((await s3Error(put('two', { IfMatch: '"0123456789abcdef0123456789abcdef"' }))).code).toBe(
        'PreconditionFailed',
      );
      const replaced = await put('three', { IfMatch: created.ETag as string });
      expect(replaced.ETag).not.toBe(created.ETag);
      const body = await (
        await t.s3.send(new GetObjectCommand({ Bucket: 'cond', Key: 'k' }))
      ).Body?.transformToString();
      expect(body).toBe('three');
      const missing = await s3Error(
        t.s3.send(new PutObjectCommand({ Bucket: 'cond', Key: 'absent', Body: 'x', IfMatch: created.ETag })),
      );
      expect([missing.code, missing.status]).toEqual(['NoSuchKey', 404]);

      // Ten racing creations of one key: exactly one wins.
      const racers = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          t.s3.send(
            new PutObjectCommand({ Bucket: 'cond', Key: 'raced', Body: `racer ${i}`, IfNoneMatch: '*' }),
          ),
        ),
      );
      expect(racers.filter((r) => r.status === 'fulfilled')).toHaveLength(1);

      // Failed ⇒ silent: only the writes that happened are events.
      const records = await eventually(async () => {
        const all = await t.mutationRecords();
        return all.length >= 3 ? all : undefined;
      });
      expect(records.map((r) => `${r.eventName} ${r.key}`)).toEqual([
        's3:ObjectCreated:Put k',
        's3:ObjectCreated:Put k',
        's3:ObjectCreated:Put raced',
      ]);
    } finally {
      await t.stop();
    }
  });

  test("ACLs: every bucket and object is its owner's FULL_CONTROL; private is accepted, anything else NotImplemented", async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'acl' }));
      await t.s3.send(new PutObjectCommand({ Bucket: 'acl', Key: 'k', Body: 'x' }));
      for (const acl of [
        await t.s3.send(new GetBucketAclCommand({ Bucket: 'acl' })),
        await t.s3.send(new GetObjectAclCommand({ Bucket: 'acl', Key: 'k' })),
      ]) {
        expect(acl.Owner?.ID).toBe('minioadmin');
        expect(acl.Grants).toEqual([
          {
            Grantee: { ID: 'minioadmin', DisplayName: 'minioadmin', Type: 'CanonicalUser' },
            Permission: 'FULL_CONTROL',
          },
        ]);
      }
      await t.s3.send(new PutBucketAclCommand({ Bucket: 'acl', ACL: 'private' }));
      await t.s3.send(new PutObjectAclCommand({ Bucket: 'acl', Key: 'k', ACL: 'private' }));
      const owner = { ID: 'minioadmin', DisplayName: 'minioadmin' };
      await t.s3.send(
        new PutBucketAclCommand({
          Bucket: 'acl',
          AccessControlPolicy: {
            Owner: owner,
            Grants: [{ Grantee: { ...owner, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }],
          },
        }),
      );
      expect(
        (await s3Error(t.s3.send(new PutObjectAclCommand({ Bucket: 'acl', Key: 'k', ACL: 'public-read' }))))
          .code,
      ).toBe('NotImplemented');
      expect((await s3Error(t.s3.send(new GetObjectAclCommand({ Bucket: 'acl', Key: 'nope' })))).code).toBe(
        'NoSuchKey',
      );
      expect((await s3Error(t.s3.send(new GetBucketAclCommand({ Bucket: 'nope' })))).code).toBe(
        'NoSuchBucket',
      );
    } finally {
      await t.stop();
    }
  });

  test('object tagging: on PUT, with its API (AWS SDK and MinIO client), on COPY; each change is a PutTagging or DeleteTagging event', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'tags' }));
      await t.s3.send(
        new PutObjectCommand({ Bucket: 'tags', Key: 'photo.jpg', Body: 'x', Tagging: 'team=red&kind=raw' }),
      );
      const tagsOf = async (Key: string) =>
        (await t.s3.send(new GetObjectTaggingCommand({ Bucket: 'tags', Key }))).TagSet?.map(
          (tag) => `${tag.Key}=${tag.Value}`,
        );
      expect(await tagsOf('photo.jpg')).toEqual(['team=red', 'kind=raw']);
      expect((await t.s3.send(new HeadObjectCommand({ Bucket: 'tags', Key: 'photo.jpg' }))).TagCount).toBe(2);

      await t.s3.send(
        new PutObjectTaggingCommand({
          Bucket: 'tags',
          Key: 'photo.jpg',
          Tagging: { TagSet: [{ Key: 'team', Value: 'blue' }] },
        }),
      );
      expect(await tagsOf('photo.jpg')).toEqual(['team=blue']);
      // The MinIO client reads and writes the same tags.
      const minio = minioClient(t.endpoint);
      expect(await minio.getObjectTagging('tags', 'photo.jpg')).toEqual([{ Key: 'team', Value: 'blue' }]);
      await minio.setObjectTagging('tags', 'photo.jpg', { team: 'green', stage: 'final' });
      expect(await tagsOf('photo.jpg')).toEqual(['team=green', 'stage=final']);

      // CopyObject keeps the tags by default, takes new ones with REPLACE.
      await t.s3.send(
        new CopyObjectCommand({ Bucket: 'tags', Key: 'kept.jpg', CopySource: 'tags/photo.jpg' }),
      );
      expect(await tagsOf('kept.jpg')).toEqual(['team=green', 'stage=final']);
      await t.s3.send(
        new CopyObjectCommand({
          Bucket: 'tags',
          Key: 'retagged.jpg',
          CopySource: 'tags/photo.jpg',
          TaggingDirective: 'REPLACE',
          Tagging: 'only=this',
        }),
      );
      expect(await tagsOf('retagged.jpg')).toEqual(['only=this']);

      await t.s3.send(new DeleteObjectTaggingCommand({ Bucket: 'tags', Key: 'photo.jpg' }));
      expect(await tagsOf('photo.jpg')).toEqual([]);
      // A multipart upload takes its tags at creation, the completed object has them.
      const { UploadId } = await t.s3.send(
        new CreateMultipartUploadCommand({ Bucket: 'tags', Key: 'big.bin', Tagging: 'size=big' }),
      );
      const part = await t.s3.send(
        new UploadPartCommand({ Bucket: 'tags', Key: 'big.bin', UploadId, PartNumber: 1, Body: 'only part' }),
      );
      await t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'tags',
          Key: 'big.bin',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      expect(await tagsOf('big.bin')).toEqual(['size=big']);
      // An overwrite without tags has none.
      await t.s3.send(new PutObjectCommand({ Bucket: 'tags', Key: 'kept.jpg', Body: 'y' }));
      expect(await tagsOf('kept.jpg')).toEqual([]);

      // S3's limits, and a missing object.
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      expect(
        (
          await s3Error(
            t.s3.send(
              new PutObjectTaggingCommand({ Bucket: 'tags', Key: 'photo.jpg', Tagging: { TagSet: eleven } }),
            ),
          )
        ).status,
      ).toBe(400);
      const twice = [
        { Key: 'a', Value: '1' },
        { Key: 'a', Value: '2' },
      ];
      expect(
        (
          await s3Error(
            t.s3.send(
              new PutObjectTaggingCommand({ Bucket: 'tags', Key: 'photo.jpg', Tagging: { TagSet: twice } }),
            ),
          )
        ).code,
      ).toBe('InvalidTag');
      expect(
        (await s3Error(t.s3.send(new GetObjectTaggingCommand({ Bucket: 'tags', Key: 'nope' })))).code,
      ).toBe('NoSuchKey');

      const records = await eventually(async () => {
        const all = (await t.mutationRecords()).filter((r) => r.key === 'photo.jpg');
        return all.length >= 4 ? all : undefined;
      });
      expect(records.map((r) => r.eventName)).toEqual([
        's3:ObjectCreated:Put',
        's3:ObjectCreated:PutTagging',
        's3:ObjectCreated:PutTagging',
        's3:ObjectCreated:DeleteTagging',
      ]);
      expect(records[1]?.eTag).toBe(records[0]?.eTag);
    } finally {
      await t.stop();
    }
  });

  test('bucket tagging: NoSuchTagSet until set, put and read back (AWS SDK and MinIO client), deleted with the bucket', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'btags' }));
      const tagsOf = async () =>
        (await t.s3.send(new GetBucketTaggingCommand({ Bucket: 'btags' }))).TagSet?.map(
          (tag) => `${tag.Key}=${tag.Value}`,
        );
      const none = await s3Error(t.s3.send(new GetBucketTaggingCommand({ Bucket: 'btags' })));
      expect([none.code, none.status]).toEqual(['NoSuchTagSet', 404]);
      await t.s3.send(
        new PutBucketTaggingCommand({
          Bucket: 'btags',
          Tagging: { TagSet: [{ Key: 'cost', Value: 'team-a' }] },
        }),
      );
      expect(await tagsOf()).toEqual(['cost=team-a']);
      const minio = minioClient(t.endpoint);
      await minio.setBucketTagging('btags', { cost: 'team-b', env: 'prod' });
      expect(await minio.getBucketTagging('btags')).toEqual([
        { Key: 'cost', Value: 'team-b' },
        { Key: 'env', Value: 'prod' },
      ]);
      await t.s3.send(new DeleteBucketTaggingCommand({ Bucket: 'btags' }));
      expect((await s3Error(t.s3.send(new GetBucketTaggingCommand({ Bucket: 'btags' })))).code).toBe(
        'NoSuchTagSet',
      );
      await t.s3.send(
        new PutBucketTaggingCommand({
          Bucket: 'btags',
          Tagging: { TagSet: [{ Key: 'gone', Value: 'soon' }] },
        }),
      );
      await t.s3.send(new DeleteBucketCommand({ Bucket: 'btags' }));
      await t.s3.send(new CreateBucketCommand({ Bucket: 'btags' }));
      expect((await s3Error(t.s3.send(new GetBucketTaggingCommand({ Bucket: 'btags' })))).code).toBe(
        'NoSuchTagSet',
      );
      expect((await s3Error(t.s3.send(new GetBucketTaggingCommand({ Bucket: 'absent' })))).code).toBe(
        'NoSuchBucket',
      );
    } finally {
      await t.stop();
    }
  });

  test('a 100 MiB object streams through and reads back intact', async ({ redis }) => {
    t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'big' }));
      const body = Buffer.alloc(100 * 1024 * 1024);
      for (let i = 0; i < body.length; i += 4096) body.writeUInt32BE(i, i);
      const put = await t.s3.send(new PutObjectCommand({ Bucket: 'big', Key: 'blob.bin', Body: body }));
      expect(put.ETag).toBe(`"${md5(body)}"`);
      const got = await t.s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'blob.bin' }));
      const hash = createHash('md5');
      for await (const chunk of got.Body as AsyncIterable<Buffer>) hash.update(chunk);
      expect(hash.digest('hex')).toBe(md5(body));
    } finally {
      await t.stop();
    }
  }, 120_000);
});
