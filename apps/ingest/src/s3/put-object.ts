// PutObject: stream the body to a new data file, verify every digest the
// client sent, then commit metadata and the ObjectCreated:Put record together.

import { checksumHeaders, measureBody } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { sendEmpty } from '../http/respond.ts';
import { requireBucket } from './buckets.ts';
import { mutationDraft } from './mutation.ts';
import { assertValidKey } from './names.ts';
import { objectHeadersFrom } from './object-headers.ts';
import { lockForNewVersion } from './object-lock.ts';
import { tagsFromHeader } from './tagging.ts';
import { versionHeader } from './versioning.ts';
import { writeCondition } from './write-conditions.ts';

export async function putObject(context: S3Context): Promise<void> {
  const { deps, bucket, key } = context;
  const bucketRow = requireBucket(context);
  assertValidKey(key);
  const headers = objectHeadersFrom(context.req.headers);
  const condition = writeCondition(context.req.headers, context.resource);
  const tags = tagsFromHeader(context);
  const lock = lockForNewVersion(context, bucketRow, new Date());
  const body = measureBody(context, deps.limits.maxSinglePutBytes);
  const dataFile = await deps.store.writeData(body.data);
  try {
    const digests = await body.finish();
    const now = new Date();
    const versionId = await deps.store.commitPut(
      {
        bucket,
        key,
        size: digests.size,
        etag: digests.md5Hex,
        contentType: headers.contentType,
        headers: headers.headers,
        userMetadata: headers.userMetadata,
        checksums: digests.checksums,
        lastModified: now.toISOString(),
        dataFile,
        tags,
        lock,
      },
      mutationDraft(
        context,
        's3:ObjectCreated:Put',
        {
          key,
          size: digests.size,
          eTag: digests.md5Hex,
          contentType: headers.contentType,
          userMetadata: headers.userMetadata,
        },
        now,
      ),
      condition,
    );
    sendEmpty(context.res, 200, {
      etag: `"${digests.md5Hex}"`,
      ...checksumHeaders(digests.checksums),
      ...versionHeader(bucketRow, versionId),
    });
  } catch (error) {
    await deps.store.discard(dataFile);
    throw error;
  }
}
