// DeleteObject and DeleteObjects (multi-delete, quiet mode). A key that did not
// exist is a success: DeleteObject commits MinIO's `s3:ObjectRemoved:NoOP`
// record for it (a consumer sees that the request happened); a multi-delete
// events only what it removed, as MinIO does.
import {
  children,
  childText,
  parseXml,
  renderXml,
  S3Errors,
  type XmlContent,
} from '@bucket-events/s3-protocol';
import { readSmallBody } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { sendEmpty, sendXml } from '../http/respond.ts';
import type { DeleteOutcome } from '../storage/metadata.ts';
import { isWellFormedVersionId } from '../storage/versions.ts';
import { requireBucket } from './buckets.ts';
import { mutationDraft, REMOVED } from './mutation.ts';
import { deletionGuard } from './object-lock.ts';
import { requestedVersionId } from './versioning.ts';

const MAX_KEYS_PER_DELETE = 1000;

export async function deleteObject(context: S3Context): Promise<void> {
  requireBucket(context);
  const outcome = removeKey(context, context.key, requestedVersionId(context), true);
  sendEmpty(context.res, 204, outcomeHeaders(outcome));
}

function removeKey(
  context: S3Context,
  key: string,
  versionId: string | undefined,
  noopEvent = false,
): DeleteOutcome {
  return context.deps.store.commitDelete(
    context.bucket,
    key,
    versionId,
    (eventName) => mutationDraft(context, eventName, { key, ...REMOVED }),
    noopEvent ? () => mutationDraft(context, 's3:ObjectRemoved:NoOP', { key, ...REMOVED }) : undefined,
    deletionGuard(context),
  );
}

/** `x-amz-delete-marker` and `x-amz-version-id`, as S3 answers a versioned deletion. */
function outcomeHeaders(outcome: DeleteOutcome): Record<string, string> {
  return {
    ...(outcome.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
    ...(outcome.versionId !== undefined ? { 'x-amz-version-id': outcome.versionId } : {}),
  };
}

export async function deleteObjects(context: S3Context): Promise<void> {
  requireBucket(context);
  const body = await readSmallBody(context, context.deps.limits.maxXmlBodyBytes);
  const root = parseXml(body).Delete;
  if (root === undefined) throw S3Errors.MalformedXML();
  const quiet = childText(root, 'Quiet')?.trim().toLowerCase() === 'true';
  const objects = children(root, 'Object').map((object) => ({
    key: childText(object, 'Key'),
    versionId: childText(object, 'VersionId'),
  }));
  if (
    objects.length === 0 ||
    objects.length > MAX_KEYS_PER_DELETE ||
    objects.some(({ key }) => key === undefined)
  ) {
    throw S3Errors.MalformedXML();
  }
  const deleted: XmlContent[] = [];
  const errors: XmlContent[] = [];
  for (const { key, versionId } of objects as { key: string; versionId?: string }[]) {
    try {
      if (key === '' || Buffer.byteLength(key) > 1024) throw S3Errors.InvalidArgument('Invalid key');
      if (versionId !== undefined && !isWellFormedVersionId(versionId))
        throw S3Errors.NoSuchVersion(undefined, undefined, { VersionId: versionId });
      const outcome = removeKey(context, key, versionId);
      deleted.push(deletedEntry(key, versionId, outcome));
    } catch (error) {
      const s3 =
        error instanceof Error && 'code' in error ? (error as { code: string; message: string }) : undefined;
      errors.push({
        Key: key,
        ...(versionId !== undefined ? { VersionId: versionId } : {}),
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

/** A `<Deleted>` entry: the version removed, or the delete marker made (S3's element names). */
function deletedEntry(key: string, versionId: string | undefined, outcome: DeleteOutcome): XmlContent {
  if (versionId !== undefined)
    return { Key: key, VersionId: versionId, ...(outcome.deleteMarker ? { DeleteMarker: true } : {}) };
  if (outcome.deleteMarker)
    return { Key: key, DeleteMarker: true, DeleteMarkerVersionId: outcome.versionId ?? 'null' };
  return { Key: key };
}
