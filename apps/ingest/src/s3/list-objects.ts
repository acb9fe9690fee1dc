// ListObjects (v1), ListObjectsV2 and ListObjectVersions (versions and delete
// markers, newest first within a key; an unversioned bucket's objects are each
// their own "null" version): prefix, delimiter, max-keys, markers and
// continuation tokens, encoding-type=url.
import {
  awsUriEncode,
  renderXml,
  renderXmlOrdered,
  S3Errors,
  type XmlContent,
} from '@bucket-events/s3-protocol';
import type { S3Context } from '../http/context.ts';
import { isoDate, sendXml } from '../http/respond.ts';
import type { ListedVersion, ObjectMeta } from '../storage/metadata.ts';
import type { StorageFacade } from '../storage/object-store.ts';
import { requireBucket } from './buckets.ts';

const PAGE = 1000;
/** Greater than every BMP character in UTF-8 byte order: `cp + LAST` sorts after every key under `cp` in the BMP. */
const LAST = '\uFFFF';

export interface ListingRequest {
  prefix: string;
  delimiter: string;
  /** List keys strictly after this one (and, when it is a common prefix, after everything under it). */
  after: string;
  maxKeys: number;
}

export interface Listing {
  objects: ObjectMeta[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned; where the next page starts. */
  last: string | undefined;
}

/** Where a walk resumes: after this key, and for a version listing after this version of it. */
interface Cursor {
  key: string;
  seq?: number;
}

interface Walk<Entry> {
  entries: Entry[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last entry or common prefix returned (entry undefined for a prefix): where the next page starts. */
  last: { key: string; entry?: Entry } | undefined;
}

/**
 * Walks entries (objects, or versions) in key order a page at a time, folding keys into common
 * prefixes at the delimiter and jumping past each prefix instead of walking through it. `page`
 * reads entries with key >= prefix after a cursor; `seqOf` says where inside its key an entry is.
 */
function walkKeys<Entry extends { key: string }>(
  request: Omit<ListingRequest, 'after'> & { after: Cursor },
  page: (after: Cursor) => Entry[],
  seqOf: (entry: Entry) => number | undefined,
): Walk<Entry> {
  const { prefix, delimiter, maxKeys } = request;
  const entries: Entry[] = [];
  const commonPrefixes: string[] = [];
  let last: Walk<Entry>['last'];
  const done = (isTruncated: boolean): Walk<Entry> => ({ entries, commonPrefixes, isTruncated, last });
  // S3 answers max-keys=0 with nothing and not truncated, however many keys there are.
  if (maxKeys === 0) return done(false);
  // A marker that is itself a common prefix resumes after everything under it.
  const marker = request.after.key;
  let skipUnder = delimiter !== '' && marker.endsWith(delimiter) ? marker : undefined;
  let cursor: Cursor = skipUnder !== undefined ? { key: skipUnder + LAST } : request.after;
  for (;;) {
    const batch = page(cursor);
    let jumped = false;
    for (const entry of batch) {
      cursor = { key: entry.key, seq: seqOf(entry) };
      if (!entry.key.startsWith(prefix)) return done(false);
      if (skipUnder !== undefined && entry.key.startsWith(skipUnder)) continue;
      if (entries.length + commonPrefixes.length >= maxKeys) return done(true);
      const cut = delimiter !== '' ? entry.key.indexOf(delimiter, prefix.length) : -1;
      if (cut < 0) {
        entries.push(entry);
        last = { key: entry.key, entry };
        continue;
      }
      const commonPrefix = entry.key.slice(0, cut + delimiter.length);
      commonPrefixes.push(commonPrefix);
      last = { key: commonPrefix };
      // Jump past the whole prefix instead of walking through its keys.
      skipUnder = commonPrefix;
      cursor = { key: commonPrefix + LAST };
      jumped = true;
      break;
    }
    if (!jumped && batch.length < PAGE) return done(false);
  }
}

/** Walks the key index in order, folding keys into common prefixes at the delimiter. */
export function listKeys(
  store: Pick<StorageFacade, 'listObjects'>,
  bucket: string,
  request: ListingRequest,
): Listing {
  const walk = walkKeys(
    { ...request, after: { key: request.after } },
    (after) => store.listObjects(bucket, after.key, request.prefix, PAGE),
    () => undefined,
  );
  return {
    objects: walk.entries,
    commonPrefixes: walk.commonPrefixes,
    isTruncated: walk.isTruncated,
    last: walk.last?.key,
  };
}

function maxKeysOf(context: S3Context): number {
  const raw = context.query.get('max-keys');
  if (raw === undefined || raw === '') return 1000;
  if (!/^\d+$/.test(raw))
    throw S3Errors.InvalidArgument('Argument maxKeys must be an integer between 0 and 2147483647');
  return Math.min(Number(raw), 1000);
}

function encodingOf(context: S3Context): (value: string) => string {
  const encoding = context.query.get('encoding-type');
  if (encoding === undefined || encoding === '') return (value) => value;
  if (encoding.toLowerCase() !== 'url')
    throw S3Errors.InvalidArgument('Invalid Encoding Method specified in Request');
  return (value) => value.split('/').map(awsUriEncode).join('/');
}

function contents(objects: ObjectMeta[], encode: (v: string) => string, owner?: string): XmlContent[] {
  return objects.map((meta) => ({
    Key: encode(meta.key),
    LastModified: isoDate(meta.lastModified),
    ETag: `"${meta.etag}"`,
    Size: meta.size,
    ...(owner ? { Owner: { ID: owner, DisplayName: owner } } : {}),
    StorageClass: 'STANDARD',
  }));
}

export async function listObjectsV1(context: S3Context): Promise<void> {
  requireBucket(context);
  const encode = encodingOf(context);
  const prefix = context.query.get('prefix') ?? '';
  const delimiter = context.query.get('delimiter') ?? '';
  const marker = context.query.get('marker') ?? '';
  const maxKeys = maxKeysOf(context);
  const listing = listKeys(context.deps.store, context.bucket, {
    prefix,
    delimiter,
    after: marker,
    maxKeys,
  });
  const xml = renderXml('ListBucketResult', {
    Name: context.bucket,
    Prefix: encode(prefix),
    Marker: encode(marker),
    NextMarker: listing.isTruncated && listing.last !== undefined ? encode(listing.last) : undefined,
    MaxKeys: maxKeys,
    Delimiter: delimiter ? encode(delimiter) : undefined,
    IsTruncated: listing.isTruncated,
    EncodingType: context.query.get('encoding-type') ? 'url' : undefined,
    Contents: contents(listing.objects, encode, context.principal),
    CommonPrefixes: listing.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  });
  sendXml(context.res, 200, xml);
}

export async function listObjectsV2(context: S3Context): Promise<void> {
  requireBucket(context);
  const encode = encodingOf(context);
  const prefix = context.query.get('prefix') ?? '';
  const delimiter = context.query.get('delimiter') ?? '';
  const startAfter = context.query.get('start-after') ?? '';
  const token = context.query.get('continuation-token');
  const maxKeys = maxKeysOf(context);
  let after = startAfter;
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || !decoded.startsWith('k:'))
      throw S3Errors.InvalidArgument('The continuation token provided is incorrect');
    after = decoded.slice(2);
  }
  const listing = listKeys(context.deps.store, context.bucket, {
    prefix,
    delimiter,
    after,
    maxKeys,
  });
  const fetchOwner = context.query.get('fetch-owner') === 'true';
  const xml = renderXml('ListBucketResult', {
    Name: context.bucket,
    Prefix: encode(prefix),
    StartAfter: startAfter ? encode(startAfter) : undefined,
    ContinuationToken: token,
    NextContinuationToken:
      listing.isTruncated && listing.last !== undefined
        ? Buffer.from(`k:${listing.last}`).toString('base64url')
        : undefined,
    KeyCount: listing.objects.length + listing.commonPrefixes.length,
    MaxKeys: maxKeys,
    Delimiter: delimiter ? encode(delimiter) : undefined,
    IsTruncated: listing.isTruncated,
    EncodingType: context.query.get('encoding-type') ? 'url' : undefined,
    Contents: contents(listing.objects, encode, fetchOwner ? context.principal : undefined),
    CommonPrefixes: listing.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  });
  sendXml(context.res, 200, xml);
}

export interface VersionListing {
  versions: ListedVersion[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Where the next page starts: the last key or common prefix, and the last version's id. */
  nextKeyMarker: string | undefined;
  nextVersionIdMarker: string | undefined;
}

/**
 * Walks every version (and delete marker) in key order, newest first within a key, folding keys
 * into common prefixes at the delimiter; resumes after (keyMarker, versionIdMarker).
 */
export function listVersionKeys(
  store: Pick<StorageFacade, 'listVersions' | 'getVersion'>,
  bucket: string,
  request: Omit<ListingRequest, 'after'> & { keyMarker: string; versionIdMarker: string },
): VersionListing {
  const { keyMarker, versionIdMarker } = request;
  // A version id marker resumes inside its key, after that version; without one, after the key.
  const seq =
    keyMarker !== '' && versionIdMarker !== ''
      ? store.getVersion(bucket, keyMarker, versionIdMarker)?.versionSeq
      : undefined;
  const walk = walkKeys(
    { ...request, after: { key: keyMarker, seq } },
    (after) => store.listVersions(bucket, request.prefix, after.key, after.seq, PAGE),
    (version) => version.versionSeq,
  );
  return {
    versions: walk.entries,
    commonPrefixes: walk.commonPrefixes,
    isTruncated: walk.isTruncated,
    nextKeyMarker: walk.isTruncated ? walk.last?.key : undefined,
    nextVersionIdMarker: walk.isTruncated ? walk.last?.entry?.versionId : undefined,
  };
}

export async function listObjectVersions(context: S3Context): Promise<void> {
  requireBucket(context);
  const encode = encodingOf(context);
  const prefix = context.query.get('prefix') ?? '';
  const delimiter = context.query.get('delimiter') ?? '';
  const keyMarker = context.query.get('key-marker') ?? '';
  const versionIdMarker = context.query.get('version-id-marker') ?? '';
  if (versionIdMarker !== '' && keyMarker === '')
    throw S3Errors.InvalidArgument('A version-id marker cannot be specified without a key marker.');
  const maxKeys = maxKeysOf(context);
  const listing = listVersionKeys(context.deps.store, context.bucket, {
    prefix,
    delimiter,
    keyMarker,
    versionIdMarker,
    maxKeys,
  });
  const owner = { ID: context.principal, DisplayName: context.principal };
  const entries = listing.versions.map((version) => {
    const common = {
      Key: encode(version.key),
      VersionId: version.versionId,
      IsLatest: version.isLatest,
      LastModified: isoDate(version.lastModified),
    };
    if (version.deleteMarker) return ['DeleteMarker', { ...common, Owner: owner }] as const;
    return [
      'Version',
      { ...common, ETag: `"${version.etag}"`, Size: version.size, Owner: owner, StorageClass: 'STANDARD' },
    ] as const;
  });
  const xml = renderXmlOrdered(
    'ListVersionsResult',
    {
      Name: context.bucket,
      Prefix: encode(prefix),
      KeyMarker: encode(keyMarker),
      VersionIdMarker: versionIdMarker,
      NextKeyMarker: listing.nextKeyMarker !== undefined ? encode(listing.nextKeyMarker) : undefined,
      NextVersionIdMarker: listing.nextVersionIdMarker,
      MaxKeys: maxKeys,
      Delimiter: delimiter ? encode(delimiter) : undefined,
      IsTruncated: listing.isTruncated,
      EncodingType: context.query.get('encoding-type') ? 'url' : undefined,
    },
    entries,
    { CommonPrefixes: listing.commonPrefixes.map((p) => ({ Prefix: encode(p) })) },
  );
  sendXml(context.res, 200, xml);
}
