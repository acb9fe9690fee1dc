// Versioning, mc style: `version enable|suspend|info ALIAS/BUCKET`, `ls --versions`
// and the removal of versions (`rm --version-id`, `rm --versions`, `rb --force`
// on a versioned bucket), through the AWS SDK.
import {
  GetBucketVersioningCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Client } from '../client.ts';
import { remote } from '../location.ts';
import { humanSize, type Output, stamp } from '../output.ts';
import { deleteInBatches } from './batch-delete.ts';

export async function versioning(
  operation: 'enable' | 'suspend' | 'info',
  target: string,
  out: Output,
): Promise<void> {
  const location = remote(target, 'bucket');
  const s3 = s3Client(location.alias);
  const name = `${location.aliasName}/${location.bucket}`;
  if (operation !== 'info') {
    const Status = operation === 'enable' ? 'Enabled' : 'Suspended';
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: location.bucket, VersioningConfiguration: { Status } }),
    );
    out.print(`${name} versioning is ${operation === 'enable' ? 'enabled' : 'suspended'}`, {
      op: operation,
      url: name,
      versioning: { status: Status },
    });
    return;
  }
  const { Status } = await s3.send(new GetBucketVersioningCommand({ Bucket: location.bucket }));
  // mc's words: enabled, suspended, or un-versioned for a bucket never versioned.
  const state = Status === 'Enabled' ? 'enabled' : Status === 'Suspended' ? 'suspended' : 'un-versioned';
  out.print(`${name} versioning is ${state}`, {
    op: 'info',
    url: name,
    versioning: { status: Status ?? '' },
  });
}

export interface ListedVersion {
  key: string;
  versionId: string;
  deleteMarker: boolean;
  isLatest: boolean;
  size: number;
  lastModified: Date | undefined;
}

/** ListObjectVersions page by page (the SDK has no paginator for it), following the markers. */
async function* versionPages(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<ListObjectVersionsCommandOutput> {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, VersionIdMarker }),
    );
    yield page;
    if (!page.IsTruncated) return;
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
  }
}

/** Every version and delete marker under `prefix`, key by key, newest first within a key. */
export async function* versionsUnder(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<ListedVersion> {
  for await (const page of versionPages(s3, bucket, prefix)) {
    // The SDK splits versions from delete markers; the server's order is key, then newest first.
    const entries: ListedVersion[] = [
      ...(page.Versions ?? []).map((v) => ({
        key: v.Key ?? '',
        versionId: v.VersionId ?? 'null',
        deleteMarker: false,
        isLatest: v.IsLatest ?? false,
        size: v.Size ?? 0,
        lastModified: v.LastModified,
      })),
      ...(page.DeleteMarkers ?? []).map((m) => ({
        key: m.Key ?? '',
        versionId: m.VersionId ?? 'null',
        deleteMarker: true,
        isLatest: m.IsLatest ?? false,
        size: 0,
        lastModified: m.LastModified,
      })),
    ];
    entries.sort(
      (a, b) =>
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
        (b.lastModified?.getTime() ?? 0) - (a.lastModified?.getTime() ?? 0) ||
        Number(b.isLatest) - Number(a.isLatest),
    );
    yield* entries;
  }
}

/** `ls --versions`: mc's line per version, `v<n>` counting up from a key's oldest version. */
export async function listVersions(target: string, out: Output): Promise<void> {
  const location = remote(target, 'bucket');
  const s3 = s3Client(location.alias);
  let group: ListedVersion[] = [];
  const flush = () => {
    group.forEach((version, index) => {
      const number = group.length - index;
      const kind = version.deleteMarker ? 'DEL' : 'PUT';
      const name = version.key.slice(location.key.lastIndexOf('/') + 1);
      out.print(
        `${stamp(version.lastModified)} ${humanSize(version.size).padStart(6)} STANDARD ${version.versionId} v${number} ${kind} ${name}`,
        {
          key: version.key,
          versionId: version.versionId,
          versionOrdinal: number,
          isLatest: version.isLatest,
          isDeleteMarker: version.deleteMarker,
          size: version.size,
          lastModified: version.lastModified,
        },
      );
    });
    group = [];
  };
  for await (const version of versionsUnder(s3, location.bucket, location.key)) {
    if (group.length > 0 && group[0]?.key !== version.key) flush();
    group.push(version);
  }
  flush();
}

/** Removes every version and delete marker under `prefix` (of exactly `key`, when given). */
export async function removeVersions(
  s3: S3Client,
  bucket: string,
  prefix: string,
  exactKey?: string,
): Promise<ListedVersion[]> {
  async function* chosen() {
    for await (const version of versionsUnder(s3, bucket, prefix))
      if (exactKey === undefined || version.key === exactKey) yield version;
  }
  return deleteInBatches(s3, bucket, chosen(), (version) => ({
    Key: version.key,
    VersionId: version.versionId,
  }));
}
