// GetObject and HeadObject: conditional requests (If-Match, If-None-Match,
// If-Modified-Since, If-Unmodified-Since), single byte ranges, response header
// overrides, and an ObjectAccessed record when the bucket's rules want one.
import { pipeline } from 'node:stream/promises';
import { headerValue, S3Errors } from '@bucket-events/s3-protocol';
import type { S3Context } from '../http/context.ts';
import { sendEmpty } from '../http/respond.ts';
import type { ObjectMeta } from '../storage/metadata.ts';
import { requireBucket } from './buckets.ts';
import { factsOf, mutationDraft } from './mutation.ts';
import { objectResponseHeaders } from './object-headers.ts';
import { lockHeaders } from './object-lock.ts';
import { missingObject, requestedVersionId, versionHeader } from './versioning.ts';

const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

export async function getObject(context: S3Context): Promise<void> {
  await serveObject(context, false);
}

export async function headObject(context: S3Context): Promise<void> {
  await serveObject(context, true);
}

async function serveObject(context: S3Context, head: boolean): Promise<void> {
  const { deps, bucket, key, req, res } = context;
  const bucketRow = requireBucket(context);
  const versionId = requestedVersionId(context);
  const opened = await deps.store.openObject(bucket, key, versionId);
  if (!opened) throw missingObject(context, bucketRow, versionId);
  const { meta, handle } = opened;
  try {
    checkPreconditions(context, meta);
    const range = parseRange(headerValue(req.headers, 'range'), meta.size);
    const checksumMode = headerValue(req.headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
    const headers = {
      ...objectResponseHeaders(meta, checksumMode && range === undefined),
      ...versionHeader(bucketRow, meta.versionId),
      ...lockHeaders(meta),
    };
    for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
      const value = context.query.get(parameter);
      if (value !== undefined) headers[header] = value;
    }
    const { start, end } = range ?? { start: 0, end: meta.size - 1 };
    headers['content-length'] = meta.size === 0 ? 0 : end - start + 1;
    if (range) headers['content-range'] = `bytes ${start}-${end}/${meta.size}`;
    const status = range ? 206 : 200;
    if (head || meta.size === 0) {
      sendEmpty(res, status, headers);
    } else {
      res.writeHead(status, headers);
      await pipeline(handle.createReadStream({ start, end, autoClose: false }), res);
    }
    if (deps.rules.wantsAccessEvents(bucket) || deps.live.wantsAccessEvents(bucket)) {
      const facts = {
        ...factsOf(meta),
        ...(meta.versionId !== undefined && meta.versionId !== 'null' ? { versionId: meta.versionId } : {}),
      };
      deps.store.commitAccess(
        mutationDraft(context, head ? 's3:ObjectAccessed:Head' : 's3:ObjectAccessed:Get', facts),
      );
    }
  } finally {
    await handle.close();
  }
}

function checkPreconditions(context: S3Context, meta: ObjectMeta) {
  const headers = context.req.headers;
  const modified = Math.floor(new Date(meta.lastModified).getTime() / 1000) * 1000;
  const ifMatch = headerValue(headers, 'if-match');
  const ifNoneMatch = headerValue(headers, 'if-none-match');
  const ifModifiedSince = parseDate(headerValue(headers, 'if-modified-since'));
  const ifUnmodifiedSince = parseDate(headerValue(headers, 'if-unmodified-since'));
  const matches = (list: string) => etagListMatches(list, meta.etag);

  if (ifMatch !== undefined && !matches(ifMatch)) throw S3Errors.PreconditionFailed();
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined && modified > ifUnmodifiedSince) {
    throw S3Errors.PreconditionFailed();
  }
  if (ifNoneMatch !== undefined && matches(ifNoneMatch)) throw S3Errors.NotModified();
  if (ifNoneMatch === undefined && ifModifiedSince !== undefined && modified <= ifModifiedSince) {
    throw S3Errors.NotModified();
  }
}

/** An If-Match / If-None-Match list (`"a", W/"b"`, `*`) names the object's ETag (hex, unquoted). */
export function etagListMatches(list: string, etagHex: string): boolean {
  const etag = `"${etagHex}"`;
  return list.split(',').some((tag) => tag.trim() === '*' || normalizeTag(tag) === etag);
}

function normalizeTag(tag: string): string {
  const trimmed = tag.trim().replace(/^W\//, '');
  return trimmed.startsWith('"') ? trimmed : `"${trimmed}"`;
}

function parseDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/**
 * One `bytes=` range as S3 reads it: `a-b`, `a-`, `-n`. Malformed or multiple
 * ranges are ignored (the whole object is sent); a range past the end is 416.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) throw rangeError(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) throw rangeError(header, size);
  return { start, end };
}

function rangeError(requested: string, size: number) {
  return S3Errors.InvalidRange(undefined, undefined, {
    RangeRequested: requested,
    ActualObjectSize: String(size),
  });
}
