// Listing (v1, v2, delimiters, pagination over 2,500 keys, encoding-type=url)
// and multipart uploads, through the real AWS SDK v3.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { test } from '@bucket-events/testing';
import { crc32c } from '@node-rs/crc32';
import { describe, expect } from 'vitest';
import { eventually, s3ErrorCode, startTestIngest } from '../test/harness.ts';

const md5 = (data: Buffer) => createHash('md5').update(data).digest();

/** How many object data files the store holds now. */
function dataFiles(dataDir: string): number {
  const root = join(dataDir, 'objects');
  return readdirSync(root).reduce((count, dir) => count + readdirSync(join(root, dir)).length, 0);
}

describe('listing', () => {
  test('paginates 2,500 keys in v2 and v1, folds common prefixes, and url-encodes on request', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'list' }));
      const keys: string[] = [];
      for (let i = 0; i < 2500; i++)
        keys.push(`photos/${String(i % 25).padStart(2, '0')}/img ${String(i).padStart(4, '0')}.jpg`);
      keys.push('root+1.txt', 'root 2.txt', 'ünïcode/x', 'photos/flat.txt');
      for (let i = 0; i < keys.length; i += 32) {
        await Promise.all(
          keys
            .slice(i, i + 32)
            .map((Key) => t.s3.send(new PutObjectCommand({ Bucket: 'list', Key, Body: 'x' }))),
        );
      }
      const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

      const seenV2: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await t.s3.send(
          new ListObjectsV2Command({ Bucket: 'list', ContinuationToken: token, MaxKeys: 1000 }),
        );
        seenV2.push(...(page.Contents ?? []).map((c) => c.Key as string));
        expect(page.KeyCount).toBe(page.Contents?.length ?? 0);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
        pages++;
      } while (token);
      expect(pages).toBe(3);
      expect(seenV2).toEqual(expected);

      const seenV1: string[] = [];
      let marker: string | undefined;
      do {
        const page = await t.s3.send(
          new ListObjectsCommand({ Bucket: 'list', Marker: marker, MaxKeys: 700 }),
        );
        seenV1.push(...(page.Contents ?? []).map((c) => c.Key as string));
        marker = page.IsTruncated ? page.NextMarker : undefined;
      } while (marker);
      expect(seenV1).toEqual(expected);

      const top = await t.s3.send(new ListObjectsV2Command({ Bucket: 'list', Delimiter: '/' }));
      expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['photos/', 'ünïcode/']);
      expect(top.Contents?.map((c) => c.Key)).toEqual(['root 2.txt', 'root+1.txt']);

      const photos = await t.s3.send(
        new ListObjectsV2Command({ Bucket: 'list', Delimiter: '/', Prefix: 'photos/' }),
      );
      expect(photos.CommonPrefixes).toHaveLength(25);
      expect(photos.Contents?.map((c) => c.Key)).toEqual(['photos/flat.txt']);

      // Paginating over common prefixes: every prefix exactly once.
      const prefixes: string[] = [];
      let next: string | undefined;
      do {
        const page = await t.s3.send(
          new ListObjectsV2Command({
            Bucket: 'list',
            Delimiter: '/',
            Prefix: 'photos/',
            MaxKeys: 7,
            ContinuationToken: next,
          }),
        );
        prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string));
        next = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (next);
      expect(prefixes).toEqual(Array.from({ length: 25 }, (_, i) => `photos/${String(i).padStart(2, '0')}/`));

      const after = await t.s3.send(new ListObjectsV2Command({ Bucket: 'list', StartAfter: 'root 2.txt' }));
      expect(after.Contents?.map((c) => c.Key)).toEqual(['root+1.txt', 'ünïcode/x']);

      const encoded = await t.s3.send(
        new ListObjectsV2Command({ Bucket: 'list', Prefix: 'root', EncodingType: 'url' }),
      );
      expect(encoded.Contents?.map((c) => c.Key)).toEqual(['root%202.txt', 'root%2B1.txt']);
    } finally {
      await t.stop();
    }
  }, 120_000);

  test('max-keys=0 answers no keys and not truncated, in v1 and v2, as S3 does', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'zero' }));
      for (const key of ['a', 'b/c'])
        await t.s3.send(new PutObjectCommand({ Bucket: 'zero', Key: key, Body: 'x' }));
      const v2 = await t.s3.send(new ListObjectsV2Command({ Bucket: 'zero', MaxKeys: 0 }));
      expect([v2.KeyCount, v2.IsTruncated, v2.Contents, v2.NextContinuationToken]).toEqual([
        0,
        false,
        undefined,
        undefined,
      ]);
      const v1 = await t.s3.send(new ListObjectsCommand({ Bucket: 'zero', MaxKeys: 0, Delimiter: '/' }));
      expect([v1.IsTruncated, v1.Contents, v1.CommonPrefixes, v1.MaxKeys]).toEqual([
        false,
        undefined,
        undefined,
        0,
      ]);
    } finally {
      await t.stop();
    }
  });
});

describe('multipart uploads', () => {
  test('UploadPartCopy: parts copied from byte ranges of an object and one uploaded part, completed as one object', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'parts' }));
      const source = Buffer.alloc(11 * 1024 * 1024 + 100);
      for (let i = 0; i < source.length; i++) source[i] = (i * 7) % 251;
      await t.s3.send(new PutObjectCommand({ Bucket: 'parts', Key: 'source.bin', Body: source }));
      const { UploadId } = await t.s3.send(
        new CreateMultipartUploadCommand({ Bucket: 'parts', Key: 'joined.bin' }),
      );
      const five = 5 * 1024 * 1024;
      const copy = (PartNumber: number, range: string) =>
        t.s3.send(
          new UploadPartCopyCommand({
            Bucket: 'parts',
            Key: 'joined.bin',
            UploadId,
            PartNumber,
            CopySource: 'parts/source.bin',
            CopySourceRange: range,
          }),
        );
      const first = await copy(1, `bytes=0-${five - 1}`);
      const second = await copy(2, `bytes=${five}-${source.length - 1}`);
      const tail = Buffer.from('and the end');
      const third = await t.s3.send(
        new UploadPartCommand({ Bucket: 'parts', Key: 'joined.bin', UploadId, PartNumber: 3, Body: tail }),
      );
      const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
      expect(first.CopyPartResult?.ETag).toBe(`"${md5(source.subarray(0, five))}"`);
      expect(second.CopyPartResult?.ETag).toBe(`"${md5(source.subarray(five))}"`);
      expect(await s3ErrorCode(copy(4, `bytes=0-${source.length}`))).toBe('InvalidArgument');
      const missing = t.s3.send(
        new UploadPartCopyCommand({
          Bucket: 'parts',
          Key: 'joined.bin',
          UploadId,
          PartNumber: 4,
          CopySource: 'parts/nope',
        }),
      );
      expect(await s3ErrorCode(missing)).toBe('NoSuchKey');
      const completed = await t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'parts',
          Key: 'joined.bin',
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: first.CopyPartResult?.ETag },
              { PartNumber: 2, ETag: second.CopyPartResult?.ETag },
              { PartNumber: 3, ETag: third.ETag },
            ],
          },
        }),
      );
      expect(completed.ETag).toMatch(/-3"$/);
      const got = await t.s3.send(new GetObjectCommand({ Bucket: 'parts', Key: 'joined.bin' }));
      const body = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
      expect(body.equals(Buffer.concat([source, tail]))).toBe(true);
      const records = await eventually(async () => {
        const all = (await t.mutationRecords()).filter((r) => r.key === 'joined.bin');
        return all.length > 0 ? all : undefined;
      });
      expect(records.map((r) => r.eventName)).toEqual(['s3:ObjectCreated:CompleteMultipartUpload']);
    } finally {
      await t.stop();
    }
  });

  test('a completed upload keeps its parts as they are: ranges across them, copies, and their files freed once replaced', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const { s3 } = t;
      await s3.send(new CreateBucketCommand({ Bucket: 'pieces' }));
      const five = 5 * 1024 * 1024;
      const parts = [0, 1, 2].map((n) => {
        const part = Buffer.alloc(n < 2 ? five : 1000);
        for (let i = 0; i < part.length; i++) part[i] = (i * 13 + n * 7) % 251;
        return part;
      });
      const whole = Buffer.concat(parts);
      const filesBefore = dataFiles(t.dataDir);
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: 'pieces', Key: 'p.bin' }),
      );
      const uploaded = [];
      for (const [index, Body] of parts.entries())
        uploaded.push(
          await s3.send(
            new UploadPartCommand({ Bucket: 'pieces', Key: 'p.bin', UploadId, PartNumber: index + 1, Body }),
          ),
        );
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'pieces',
          Key: 'p.bin',
          UploadId,
          MultipartUpload: { Parts: uploaded.map(({ ETag }, index) => ({ PartNumber: index + 1, ETag })) },
        }),
      );
      // No joined copy was made: the object's data files are the three parts'.
      expect(dataFiles(t.dataDir) - filesBefore).toBe(3);
      const read = async (Key: string, Range?: string) => {
        const answer = await s3.send(new GetObjectCommand({ Bucket: 'pieces', Key, Range }));
        return Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
      };
      expect((await read('p.bin')).equals(whole)).toBe(true);
      // A range across both part boundaries, and one inside the last part.
      const across = `bytes=${five - 10}-${2 * five + 9}`;
      expect((await read('p.bin', across)).equals(whole.subarray(five - 10, 2 * five + 10))).toBe(true);
      expect((await read('p.bin', 'bytes=-5')).equals(whole.subarray(whole.length - 5))).toBe(true);
      // CopyObject and UploadPartCopy read it like any object.
      await s3.send(new CopyObjectCommand({ Bucket: 'pieces', Key: 'copy.bin', CopySource: 'pieces/p.bin' }));
      expect((await read('copy.bin')).equals(whole)).toBe(true);
      const second = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'pieces', Key: 'q.bin' }));
      const copied = await s3.send(
        new UploadPartCopyCommand({
          Bucket: 'pieces',
          Key: 'q.bin',
          UploadId: second.UploadId,
          PartNumber: 1,
          CopySource: 'pieces/p.bin',
          CopySourceRange: across,
        }),
      );
      expect(copied.CopyPartResult?.ETag).toBe(
        `"${md5(whole.subarray(five - 10, 2 * five + 10)).toString('hex')}"`,
      );
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: 'pieces', Key: 'q.bin', UploadId: second.UploadId }),
      );
      // Replaced, the object's part files go (the copy's own file stays).
      await s3.send(new PutObjectCommand({ Bucket: 'pieces', Key: 'p.bin', Body: 'small now' }));
      await eventually(async () => (dataFiles(t.dataDir) - filesBefore === 1 ? true : undefined));
      expect((await read('p.bin')).toString()).toBe('small now');
    } finally {
      await t.stop();
    }
  });

  test('checksums: COMPOSITE (a CRC32 of the parts’ CRC32s, -N) and FULL_OBJECT (the CRC32C of the whole object)', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const { s3 } = t;
      await s3.send(new CreateBucketCommand({ Bucket: 'sums' }));
      const five = 5 * 1024 * 1024;
      const parts = [Buffer.alloc(five, 'a'), Buffer.alloc(1234, 'b')];
      const upload = async (
        Key: string,
        ChecksumAlgorithm: 'CRC32' | 'CRC32C',
        ChecksumType: 'COMPOSITE' | 'FULL_OBJECT',
      ) => {
        const created = await s3.send(
          new CreateMultipartUploadCommand({ Bucket: 'sums', Key, ChecksumAlgorithm, ChecksumType }),
        );
        const uploaded = [];
        for (const [index, Body] of parts.entries())
          uploaded.push(
            await s3.send(
              new UploadPartCommand({
                Bucket: 'sums',
                Key,
                UploadId: created.UploadId,
                PartNumber: index + 1,
                Body,
                ChecksumAlgorithm,
              }),
            ),
          );
        return { UploadId: created.UploadId, uploaded };
      };
      const crc32Of = (data: Buffer) => {
        const out = Buffer.alloc(4);
        out.writeUInt32BE(crc32(data) >>> 0);
        return out;
      };

      const composite = await upload('composite.bin', 'CRC32', 'COMPOSITE');
      const partSums = composite.uploaded.map((part) => part.ChecksumCRC32 as string);
      expect(partSums).toEqual(parts.map((part) => crc32Of(part).toString('base64')));
      const listed = await s3.send(
        new ListPartsCommand({ Bucket: 'sums', Key: 'composite.bin', UploadId: composite.UploadId }),
      );
      expect(listed.Parts?.map((part) => part.ChecksumCRC32)).toEqual(partSums);
      // A listed part checksum that is not the part's is refused.
      const wrong = s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'sums',
          Key: 'composite.bin',
          UploadId: composite.UploadId,
          MultipartUpload: {
            Parts: composite.uploaded.map(({ ETag }, index) => ({
              PartNumber: index + 1,
              ETag,
              ChecksumCRC32: partSums[1 - index],
            })),
          },
        }),
      );
      expect(await s3ErrorCode(wrong)).toBe('InvalidPart');
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'sums',
          Key: 'composite.bin',
          UploadId: composite.UploadId,
          MultipartUpload: {
            Parts: composite.uploaded.map(({ ETag }, index) => ({
              PartNumber: index + 1,
              ETag,
              ChecksumCRC32: partSums[index],
            })),
          },
        }),
      );
      const expected = `${crc32Of(Buffer.concat(partSums.map((sum) => Buffer.from(sum, 'base64')))).toString('base64')}-2`;
      expect([done.ChecksumCRC32, done.ChecksumType]).toEqual([expected, 'COMPOSITE']);
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: 'sums', Key: 'composite.bin', ChecksumMode: 'ENABLED' }),
      );
      expect([head.ChecksumCRC32, head.ChecksumType]).toEqual([expected, 'COMPOSITE']);

      const full = await upload('full.bin', 'CRC32C', 'FULL_OBJECT');
      const fullDone = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'sums',
          Key: 'full.bin',
          UploadId: full.UploadId,
          MultipartUpload: {
            Parts: full.uploaded.map(({ ETag, ChecksumCRC32C }, index) => ({
              PartNumber: index + 1,
              ETag,
              ChecksumCRC32C,
            })),
          },
        }),
      );
      const whole = Buffer.alloc(4);
      whole.writeUInt32BE(crc32c(Buffer.concat(parts)) >>> 0);
      expect([fullDone.ChecksumCRC32C, fullDone.ChecksumType]).toEqual([
        whole.toString('base64'),
        'FULL_OBJECT',
      ]);
      // The SDK checks a FULL_OBJECT checksum against the bytes it reads.
      const got = await s3.send(
        new GetObjectCommand({ Bucket: 'sums', Key: 'full.bin', ChecksumMode: 'ENABLED' }),
      );
      expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(Buffer.concat(parts))).toBe(
        true,
      );
      expect(got.ChecksumCRC32C).toBe(whole.toString('base64'));
    } finally {
      await t.stop();
    }
  });

  test('a 5 MiB + 1 KiB upload in two parts: ETag md5-of-md5s-2, listing, one CompleteMultipartUpload record', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'multipart' }));
      const part1 = Buffer.alloc(5 * 1024 * 1024, 'a');
      const part2 = Buffer.alloc(1024, 'b');
      const { UploadId } = await t.s3.send(
        new CreateMultipartUploadCommand({
          Bucket: 'multipart',
          Key: 'video/clip.mp4',
          ContentType: 'video/mp4',
          Metadata: { k: 'v' },
        }),
      );
      expect(UploadId).toBeTruthy();
      const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: 'multipart' }));
      expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['video/clip.mp4', UploadId]]);

      const e1 = await t.s3.send(
        new UploadPartCommand({
          Bucket: 'multipart',
          Key: 'video/clip.mp4',
          UploadId,
          PartNumber: 1,
          Body: part1,
        }),
      );
      const e2 = await t.s3.send(
        new UploadPartCommand({
          Bucket: 'multipart',
          Key: 'video/clip.mp4',
          UploadId,
          PartNumber: 2,
          Body: part2,
        }),
      );
      const parts = await t.s3.send(
        new ListPartsCommand({ Bucket: 'multipart', Key: 'video/clip.mp4', UploadId }),
      );
      expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
        [1, part1.length],
        [2, part2.length],
      ]);

      expect(
        await s3ErrorCode(
          t.s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: 'multipart',
              Key: 'video/clip.mp4',
              UploadId,
              MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0000"' }] },
            }),
          ),
        ),
      ).toBe('InvalidPart');
      expect(
        await s3ErrorCode(
          t.s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: 'multipart',
              Key: 'video/clip.mp4',
              UploadId,
              MultipartUpload: {
                Parts: [
                  { PartNumber: 2, ETag: e2.ETag },
                  { PartNumber: 1, ETag: e1.ETag },
                ],
              },
            }),
          ),
        ),
      ).toBe('InvalidPartOrder');

      const done = await t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'multipart',
          Key: 'video/clip.mp4',
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: e1.ETag },
              { PartNumber: 2, ETag: e2.ETag },
            ],
          },
        }),
      );
      const expectedEtag = `${createHash('md5')
        .update(Buffer.concat([md5(part1), md5(part2)]))
        .digest('hex')}-2`;
      expect(done.ETag).toBe(`"${expectedEtag}"`);
      const got = await t.s3.send(new GetObjectCommand({ Bucket: 'multipart', Key: 'video/clip.mp4' }));
      const bytes = Buffer.from(
        await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
      expect(bytes.equals(Buffer.concat([part1, part2]))).toBe(true);
      expect(got.ContentType).toBe('video/mp4');
      expect(got.Metadata).toEqual({ k: 'v' });
      expect(
        (await t.s3.send(new ListMultipartUploadsCommand({ Bucket: 'multipart' }))).Uploads ?? [],
      ).toEqual([]);

      const records = await eventually(async () => {
        const all = await t.mutationRecords();
        return all.length > 0 ? all : undefined;
      });
      expect(records.map((r) => [r.eventName, r.key, r.size, r.eTag])).toEqual([
        [
          's3:ObjectCreated:CompleteMultipartUpload',
          'video/clip.mp4',
          part1.length + part2.length,
          expectedEtag,
        ],
      ]);
    } finally {
      await t.stop();
    }
  }, 60_000);

  test('small non-final parts are EntityTooSmall; abort removes the upload; unknown ids are NoSuchUpload', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'multipart' }));
      const { UploadId } = await t.s3.send(
        new CreateMultipartUploadCommand({ Bucket: 'multipart', Key: 'k' }),
      );
      const e1 = await t.s3.send(
        new UploadPartCommand({ Bucket: 'multipart', Key: 'k', UploadId, PartNumber: 1, Body: 'small' }),
      );
      const e2 = await t.s3.send(
        new UploadPartCommand({ Bucket: 'multipart', Key: 'k', UploadId, PartNumber: 2, Body: 'tail' }),
      );
      expect(
        await s3ErrorCode(
          t.s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: 'multipart',
              Key: 'k',
              UploadId,
              MultipartUpload: {
                Parts: [
                  { PartNumber: 1, ETag: e1.ETag },
                  { PartNumber: 2, ETag: e2.ETag },
                ],
              },
            }),
          ),
        ),
      ).toBe('EntityTooSmall');
      await t.s3.send(new AbortMultipartUploadCommand({ Bucket: 'multipart', Key: 'k', UploadId }));
      expect(
        await s3ErrorCode(t.s3.send(new ListPartsCommand({ Bucket: 'multipart', Key: 'k', UploadId }))),
      ).toBe('NoSuchUpload');
      expect(
        await s3ErrorCode(
          t.s3.send(
            new UploadPartCommand({
              Bucket: 'multipart',
              Key: 'k',
              UploadId: 'nope',
              PartNumber: 1,
              Body: 'x',
            }),
          ),
        ),
      ).toBe('NoSuchUpload');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await t.mutationRecords()).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});
