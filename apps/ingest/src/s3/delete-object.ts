// DeleteObject and DeleteObjects (multi-delete, quiet mode). A key that did not
// exist is a success: DeleteObject commits MinIO's `s3:ObjectRemoved:NoOP`
// record for it (a consumer sees that the request happened); a multi-delete
// events only what it removed, as MinIO does.
import { children, childText, parseXml, renderXml, S3Errors } from '@bucket-events/s3-protocol';
import { readSmallBody } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { sendEmpty, sendXml } from '../http/respond.ts';
import { requireBucket } from './buckets.ts';
import { mutationDraft, REMOVED } from './mutation.ts';

const MAX_KEYS_PER_DELETE = 1000;

export async function deleteObject(context: S3Context): Promise<void> {
  requireBucket(context);
  removeKey(context, context.key, true);
  sendEmpty(context.res, 204);
}

function removeKey(context: S3Context, key: string, noopEvent = false): void {
  context.deps.store.commitDelete(
    context.bucket,
    key,
    () => mutationDraft(context, 's3:ObjectRemoved:Delete', { key, ...REMOVED }),
    noopEvent ? () => mutationDraft(context, 's3:ObjectRemoved:NoOP', { key, ...REMOVED }) : undefined,
  );
}

export async function deleteObjects(context: S3Context): Promise<void> {
  requireBucket(context);
  const body = await readSmallBody(context, context.deps.limits.maxXmlBodyBytes);
  const root = parseXml(body).Delete;
  if (root === undefined) throw S3Errors.MalformedXML();
  const quiet = childText(root, 'Quiet')?.trim().toLowerCase() === 'true';
  const keys = children(root, 'Object').map((object) => childText(object, 'Key'));
  if (keys.length === 0 || keys.length > MAX_KEYS_PER_DELETE || keys.some((key) => key === undefined)) {
    throw S3Errors.MalformedXML();
  }
  const deleted: { Key: string }[] = [];
  const errors: { Key: string; Code: string; Message: string }[] = [];
  for (const key of keys as string[]) {
    try {
      if (key === '' || Buffer.byteLength(key) > 1024) throw S3Errors.InvalidArgument('Invalid key');
      removeKey(context, key);
      deleted.push({ Key: key });
    } catch (error) {
      const s3 =
        error instanceof Error && 'code' in error ? (error as { code: string; message: string }) : undefined;
      errors.push({
        Key: key,
        Code: s3?.code ?? 'InternalError',
        Message: s3?.message ?? 'We encountered an internal error.',
      });
    }
  }
  sendXml(
    context.res,
    200,
    renderXml('DeleteResult', {
      Deleted: quiet ? undefined : deleted,
      Error: errors.length > 0 ? errors : undefined,
    }),
  );
}
