// Multipart uploads: Create, UploadPart, Complete, Abort, ListParts and
// ListMultipartUploads. Parts are data files of their own; completion makes
// them the object's data (storage keeps them as they are, up to 256) and
// commits the object with an ObjectCreated:CompleteMultipartUpload record in
// one transaction. Checksums: multipart-checksums.ts.
import { createHash, randomBytes } from 'node:crypto';
import { children, childText, parseXml, renderXml, S3Errors } from '@bucket-events/s3-protocol';
import { type ChecksumAlgorithm, checksumHeaders, measureBody, readSmallBody } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { isoDate, sendEmpty, sendXml } from '../http/respond.ts';
import { PartChangedError, type UploadRow } from '../storage/metadata.ts';
import { requireBucket } from './buckets.ts';
import {
  checkPartAlgorithm,
  checksumElement,
  completedChecksum,
  requestedUploadChecksum,
  uploadChecksumHeaders,
} from './multipart-checksums.ts';
import { mutationDraft } from './mutation.ts';
import { assertValidKey } from './names.ts';
import { objectHeadersFrom } from './object-headers.ts';
import { lockForNewVersion } from './object-lock.ts';
import { tagsFromHeader } from './tagging.ts';
import { versionHeader } from './versioning.ts';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;

export async function createMultipartUpload(context: S3Context): Promise<void> {
  const { deps, bucket, key, req } = context;
  const bucketRow = requireBucket(context);
  assertValidKey(key);
  const headers = objectHeadersFrom(req.headers);
  // Only the request's own lock headers are kept; the bucket's default applies when the upload completes.
  const lock = lockForNewVersion(
    context,
    { ...bucketRow, objectLock: bucketRow.objectLock && {} },
    new Date(),
  );
  const checksum = requestedUploadChecksum(context);
  const uploadId = randomBytes(24).toString('base64url');
  deps.store.createUpload({
    uploadId,
    bucket,
    key,
    initiated: new Date().toISOString(),
    contentType: headers.contentType,
    headers: headers.headers,
    userMetadata: headers.userMetadata,
    checksumAlgorithm: checksum.algorithm,
    checksumType: checksum.type,
    tags: tagsFromHeader(context),
    lock,
  });
  sendXml(
    context.res,
    200,
    renderXml('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId }),
    uploadChecksumHeaders({ checksumAlgorithm: checksum.algorithm, checksumType: checksum.type }),
  );
}

export function requireUpload(context: S3Context): UploadRow {
  const uploadId = context.query.get('uploadId') ?? '';
  const upload = context.deps.store.getUpload(uploadId);
  if (!upload || upload.bucket !== context.bucket || upload.key !== context.key) {
    throw S3Errors.NoSuchUpload(undefined, `/${context.bucket}/${context.key}`, { UploadId: uploadId });
  }
  return upload;
}

/** The request's `partNumber`, 1 to 10,000. */
export function partNumberOf(context: S3Context): number {
  const partNumber = Number(context.query.get('partNumber'));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw S3Errors.InvalidArgument('Part number must be an integer between 1 and 10000, inclusive');
  }
  return partNumber;
}

export async function uploadPart(context: S3Context): Promise<void> {
  const { deps } = context;
  requireBucket(context);
  const partNumber = partNumberOf(context);
  const upload = requireUpload(context);
  const algorithm = (upload.checksumAlgorithm as ChecksumAlgorithm | null) ?? undefined;
  const body = measureBody(context, MAX_PART_SIZE, { alsoCompute: algorithm });
  // A part becomes one of the object's files at completion: never inline.
  const dataFile = await deps.store.writeData(body.data, { inline: false });
  try {
    const digests = await body.finish();
    if (algorithm && digests.checksums[algorithm] === undefined)
      checkPartAlgorithm(upload, Object.keys(digests.checksums)[0]);
    const stored = deps.store.putPart(upload.uploadId, {
      partNumber,
      size: digests.size,
      etag: digests.md5Hex,
      lastModified: new Date().toISOString(),
      dataFile,
      checksum: algorithm ? (digests.checksums[algorithm] ?? null) : null,
    });
    if (!stored) throw S3Errors.NoSuchUpload();
    sendEmpty(context.res, 200, { etag: `"${digests.md5Hex}"`, ...checksumHeaders(digests.checksums) });
  } catch (error) {
    await deps.store.discard(dataFile);
    throw error;
  }
}

export async function completeMultipartUpload(context: S3Context): Promise<void> {
  const { deps, bucket, key } = context;
  const bucketRow = requireBucket(context);
  const upload = requireUpload(context);
  const root = parseXml(await readSmallBody(context, deps.limits.maxXmlBodyBytes)).CompleteMultipartUpload;
  if (root === undefined) throw S3Errors.MalformedXML();
  const checksumName = upload.checksumAlgorithm ? checksumElement(upload.checksumAlgorithm) : undefined;
  const requested = children(root, 'Part').map((part) => ({
    partNumber: Number(childText(part, 'PartNumber')),
    etag: (childText(part, 'ETag') ?? '').trim().replaceAll('"', ''),
    checksum: checksumName ? childText(part, checksumName)?.trim() : undefined,
  }));
  if (requested.length === 0) throw S3Errors.MalformedXML();
  for (let i = 1; i < requested.length; i++) {
    if (
      (requested[i] as { partNumber: number }).partNumber <=
      (requested[i - 1] as { partNumber: number }).partNumber
    ) {
      throw S3Errors.InvalidPartOrder();
    }
  }
  const stored = new Map(deps.store.allParts(upload.uploadId).map((part) => [part.partNumber, part]));
  const parts = requested.map(({ partNumber, etag }) => {
    const part = stored.get(partNumber);
    if (!part || part.etag !== etag)
      throw S3Errors.InvalidPart(undefined, undefined, { PartNumber: String(partNumber) });
    return part;
  });
  parts.forEach((part, index) => {
    if (index < parts.length - 1 && part.size < MIN_PART_SIZE) {
      throw S3Errors.EntityTooSmall(undefined, undefined, {
        ProposedSize: String(part.size),
        MinSizeAllowed: String(MIN_PART_SIZE),
        PartNumber: String(part.partNumber),
        ETag: part.etag,
      });
    }
  });

  const md5s = createHash('md5');
  for (const part of parts) md5s.update(Buffer.from(part.etag, 'hex'));
  const etag = `${md5s.digest('hex')}-${parts.length}`;
  const size = parts.reduce((sum, part) => sum + part.size, 0);
  const checksum = await completedChecksum(
    upload,
    parts,
    requested.map((part) => part.checksum),
    () => deps.store.readFiles(parts.map((part) => part.dataFile)),
  );
  const now = new Date();
  // The lock CreateMultipartUpload asked for, else the bucket's default retention (and its legal hold).
  const asked = upload.lock ?? {};
  const lock = asked.mode
    ? asked
    : {
        ...lockForNewVersion(context, bucketRow, now),
        ...(asked.legalHold ? { legalHold: asked.legalHold } : {}),
      };
  const versionId = await deps.store
    .completeUpload(
      upload.uploadId,
      {
        bucket,
        key,
        size,
        etag,
        contentType: upload.contentType,
        headers: upload.headers,
        userMetadata: upload.userMetadata,
        checksums: checksum ? { [checksum.algorithm]: checksum.value } : {},
        tags: upload.tags,
        lastModified: now.toISOString(),
        lock,
      },
      mutationDraft(
        context,
        's3:ObjectCreated:CompleteMultipartUpload',
        { key, size, eTag: etag, contentType: upload.contentType, userMetadata: upload.userMetadata },
        now,
      ),
      parts,
    )
    .catch((error) => {
      // A part was uploaded again while this request completed: its ETag no longer matches.
      if (error instanceof PartChangedError)
        throw S3Errors.InvalidPart(undefined, undefined, { PartNumber: String(error.partNumber) });
      throw error;
    });
  if (versionId === undefined) throw S3Errors.NoSuchUpload();
  const location = `${context.originEndpoint}/${bucket}/${key}`;
  sendXml(
    context.res,
    200,
    renderXml('CompleteMultipartUploadResult', {
      Location: location,
      Bucket: bucket,
      Key: key,
      ETag: `"${etag}"`,
      ...(checksum
        ? { [checksumElement(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }
        : {}),
    }),
    versionHeader(bucketRow, versionId),
  );
}

export async function abortMultipartUpload(context: S3Context): Promise<void> {
  requireBucket(context);
  const upload = requireUpload(context);
  context.deps.store.abortUpload(upload.uploadId);
  sendEmpty(context.res, 204);
}

export async function listParts(context: S3Context): Promise<void> {
  requireBucket(context);
  const upload = requireUpload(context);
  const maxParts = Math.min(Number(context.query.get('max-parts') ?? 1000) || 1000, 1000);
  const marker = Number(context.query.get('part-number-marker') ?? 0) || 0;
  const page = context.deps.store.listParts(upload.uploadId, marker, maxParts + 1);
  const truncated = page.length > maxParts;
  const parts = page.slice(0, maxParts);
  const owner = { ID: context.principal, DisplayName: context.principal };
  sendXml(
    context.res,
    200,
    renderXml('ListPartsResult', {
      Bucket: upload.bucket,
      Key: upload.key,
      UploadId: upload.uploadId,
      Initiator: owner,
      Owner: owner,
      StorageClass: 'STANDARD',
      PartNumberMarker: marker,
      NextPartNumberMarker:
        parts.length > 0 ? (parts[parts.length - 1] as { partNumber: number }).partNumber : 0,
      MaxParts: maxParts,
      IsTruncated: truncated,
      Part: parts.map((part) => ({
        PartNumber: part.partNumber,
        LastModified: isoDate(part.lastModified),
        ETag: `"${part.etag}"`,
        Size: part.size,
        ...(part.checksum && upload.checksumAlgorithm
          ? { [checksumElement(upload.checksumAlgorithm)]: part.checksum }
          : {}),
      })),
    }),
  );
}

export async function listMultipartUploads(context: S3Context): Promise<void> {
  requireBucket(context);
  const prefix = context.query.get('prefix') ?? '';
  const keyMarker = context.query.get('key-marker') ?? '';
  const uploadIdMarker = context.query.get('upload-id-marker') ?? '';
  const maxUploads = Math.min(Number(context.query.get('max-uploads') ?? 1000) || 1000, 1000);
  const all = context.deps.store
    .listUploads(context.bucket, keyMarker)
    .filter((upload) => upload.key.startsWith(prefix))
    .filter((upload) =>
      keyMarker === ''
        ? true
        : upload.key > keyMarker ||
          (upload.key === keyMarker && uploadIdMarker !== '' && upload.uploadId > uploadIdMarker),
    );
  const page = all.slice(0, maxUploads);
  const truncated = all.length > maxUploads;
  const lastUpload = page[page.length - 1];
  const owner = { ID: context.principal, DisplayName: context.principal };
  sendXml(
    context.res,
    200,
    renderXml('ListMultipartUploadsResult', {
      Bucket: context.bucket,
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: truncated && lastUpload ? lastUpload.key : undefined,
      NextUploadIdMarker: truncated && lastUpload ? lastUpload.uploadId : undefined,
      Prefix: prefix,
      MaxUploads: maxUploads,
      IsTruncated: truncated,
      Upload: page.map((upload) => ({
        Key: upload.key,
        UploadId: upload.uploadId,
        Initiator: owner,
        Owner: owner,
        StorageClass: 'STANDARD',
        Initiated: isoDate(upload.initiated),
      })),
    }),
  );
}
