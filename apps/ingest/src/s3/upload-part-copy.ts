// UploadPartCopy: a part of a multipart upload copied from an existing object
// (`x-amz-copy-source`), whole or a byte range of it (`x-amz-copy-source-range:
// bytes=first-last`), as S3 does. The part gets its own data file; the event is
// the upload's CompleteMultipartUpload, as for any part.
import { createHash } from 'node:crypto';
import { headerValue, renderXml, S3Errors } from '@bucket-events/s3-protocol';
import { type ChecksumAlgorithm, checksumHash } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { isoDate, sendXml } from '../http/respond.ts';
import { requireBucket } from './buckets.ts';
import { openCopySource } from './copy-object.ts';
import { MAX_PART_SIZE, partNumberOf, requireUpload } from './multipart.ts';

/** `bytes=first-last` within an object of `size` bytes, as S3 reads it (both ends required). */
export function copySourceRange(value: string | undefined, size: number): { start: number; end: number } {
  if (value === undefined) return { start: 0, end: size - 1 };
  const match = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (!match || start > end || end >= size)
    throw S3Errors.InvalidArgument(`Range specified is not valid for source object of size: ${size}`);
  return { start, end };
}

export async function uploadPartCopy(context: S3Context): Promise<void> {
  const { deps, req } = context;
  requireBucket(context);
  const partNumber = partNumberOf(context);
  const upload = requireUpload(context);
  const { opened } = await openCopySource(context);
  let dataFile: string | undefined;
  try {
    const { start, end } =
      opened.meta.size === 0 && headerValue(req.headers, 'x-amz-copy-source-range') === undefined
        ? { start: 0, end: -1 }
        : copySourceRange(headerValue(req.headers, 'x-amz-copy-source-range'), opened.meta.size);
    if (end - start + 1 > MAX_PART_SIZE) throw S3Errors.EntityTooLarge();
    const md5 = createHash('md5');
    // The upload's checksum algorithm, if it has one: a copied part needs its checksum too.
    const algorithm = upload.checksumAlgorithm as ChecksumAlgorithm | null;
    const checksum = algorithm ? checksumHash(algorithm) : undefined;
    const source = opened.handle;
    async function* hashed() {
      if (end < start) return;
      for await (const chunk of source.createReadStream({ start, end })) {
        md5.update(chunk as Buffer);
        checksum?.update(chunk as Buffer);
        yield chunk as Buffer;
      }
    }
    // A part becomes one of the object's files at completion: never inline.
    dataFile = await deps.store.writeData(hashed(), { inline: false });
    const etag = md5.digest('hex');
    const lastModified = new Date().toISOString();
    const stored = deps.store.putPart(upload.uploadId, {
      partNumber,
      size: end - start + 1,
      etag,
      lastModified,
      dataFile,
      checksum: checksum ? await checksum.digestBase64() : null,
    });
    if (!stored) throw S3Errors.NoSuchUpload();
    sendXml(
      context.res,
      200,
      renderXml('CopyPartResult', { LastModified: isoDate(lastModified), ETag: `"${etag}"` }),
    );
  } catch (error) {
    if (dataFile) await deps.store.discard(dataFile);
    throw error;
  } finally {
    await opened.handle.close();
  }
}
