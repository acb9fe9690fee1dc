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

/** Walks the key index in order, folding keys into common prefixes at the delimiter. */
export function listKeys(
  store: Pick<StorageFacade, 'listObjects'>,
  bucket: string,
  request: ListingRequest,
): Listing {
  const { prefix, delimiter, maxKeys } = request;
  const objects: ObjectMeta[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  const done = (isTruncated: boolean): Listing => ({ objects, commonPrefixes, isTruncated, last });
  // S3 answers max-keys=0 with nothing and not truncated, however many keys there are.
  if (maxKeys === 0) return done(false);
  // A marker that is itself a common prefix resumes after everything under it.
  let skipUnder = delimiter !== '' && request.after.endsWith(delimiter) ? request.after : undefined;
  let cursor = skipUnder !== undefined ? skipUnder + LAST : request.after;
  for (;;) {
    const page = store.listObjects(bucket, cursor, prefix, PAGE);
    let jumped = false;
    for (const meta of page) {
      cursor = meta.key;
      if (!meta.key.startsWith(prefix)) return done(false);
      if (skipUnder !== undefined && meta.key.startsWith(skipUnder)) continue;
      if (objects.length + commonPrefixes.length >= maxKeys) return done(true);
      const cut = delimiter !== '' ? meta.key.indexOf(delimiter, prefix.length) : -1;
      if (cut < 0) {
        objects.push(meta);
        last = meta.key;
        continue;
      }
      const commonPrefix = meta.key.slice(0, cut + delimiter.length);
      commonPrefixes.push(commonPrefix);
      last = commonPrefix;
      // Jump past the whole prefix instead of walking through its keys.
      skipUnder = commonPrefix;
      cursor = commonPrefix + LAST;
      jumped = true;
      break;
    }
    if (!jumped && page.length < PAGE) return done(false);
  }
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
  const { prefix, delimiter, maxKeys } = request;
  const versions: ListedVersion[] = [];
  const commonPrefixes: string[] = [];
  let nextKeyMarker: string | undefined;
  let nextVersionIdMarker: string | undefined;
  const done = (isTruncated: boolean): VersionListing => ({
    versions,
    commonPrefixes,
    isTruncated,
    nextKeyMarker: isTruncated ? nextKeyMarker : undefined,
    nextVersionIdMarker: isTruncated ? nextVersionIdMarker : undefined,
  });
  if (maxKeys === 0) return done(false);
  let skipUnder = delimiter !== '' && request.keyMarker.endsWith(delimiter) ? request.keyMarker : undefined;
  let cursorKey = skipUnder !== undefined ? skipUnder + LAST : request.keyMarker;
  // A version id marker resumes inside its key, after that version; without one, after the key.
  let cursorSeq =
    skipUnder === undefined && request.keyMarker !== '' && request.versionIdMarker !== ''
      ? store.getVersion(bucket, request.keyMarker, request.versionIdMarker)?.versionSeq
      : undefined;
  for (;;) {
    const page = store.listVersions(bucket, prefix, cursorKey, cursorSeq, PAGE);
    let jumped = false;
    for (const version of page) {
      cursorKey = version.key;
      cursorSeq = version.versionSeq;
      if (!version.key.startsWith(prefix)) return done(false);
      if (skipUnder !== undefined && version.key.startsWith(skipUnder)) continue;
      if (versions.length + commonPrefixes.length >= maxKeys) return done(true);
      const cut = delimiter !== '' ? version.key.indexOf(delimiter, prefix.length) : -1;
      if (cut < 0) {
        versions.push(version);
        nextKeyMarker = version.key;
        nextVersionIdMarker = version.versionId;
        continue;
      }
      const commonPrefix = version.key.slice(0, cut + delimiter.length);
      commonPrefixes.push(commonPrefix);
      nextKeyMarker = commonPrefix;
      nextVersionIdMarker = undefined;
      skipUnder = commonPrefix;
      cursorKey = commonPrefix + LAST;
      cursorSeq = undefined;
      jumped = true;
      break;
    }
    if (!jumped && page.length < PAGE) return done(false);
  }
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
