// Deleting many objects or versions with DeleteObjects, as `rm -r`, `rm --versions`
// and `rb --force` do.
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Deletes what `entries` yields with DeleteObjects, 1,000 at a time (S3's limit), and returns them:
 * objects by key, or versions by key and version id.
 */
export async function deleteInBatches<Entry>(
  s3: S3Client,
  bucket: string,
  entries: AsyncIterable<Entry>,
  identify: (entry: Entry) => { Key: string; VersionId?: string },
): Promise<Entry[]> {
  const removed: Entry[] = [];
  let batch: Entry[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map(identify), Quiet: true } }),
    );
    removed.push(...batch);
    batch = [];
  };
  for await (const entry of entries) {
    batch.push(entry);
    if (batch.length === 1000) await flush();
  }
  await flush();
  return removed;
}
