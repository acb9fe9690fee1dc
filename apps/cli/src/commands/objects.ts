// The plain S3 commands — mb, rb, ls, cp, cat, rm, stat — through the AWS SDK,
// so they work against any S3 endpoint.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type _Object,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SingleBar } from 'cli-progress';
import mime from 'mime';
import { s3Client } from '../client.ts';
import { parseLocation, type RemoteLocation, remote } from '../location.ts';
import { humanSize, type Output, stamp } from '../output.ts';
import { deleteInBatches } from './batch-delete.ts';
import { removeVersions } from './versions.ts';

/** Uploads above this size go multipart, in parts of this size. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;

export async function makeBucket(
  target: string,
  options: { withLock?: boolean },
  out: Output,
): Promise<void> {
  const location = remote(target, 'bucket');
  await s3Client(location.alias).send(
    new CreateBucketCommand({ Bucket: location.bucket, ObjectLockEnabledForBucket: options.withLock }),
  );
  out.print(`Bucket created successfully \`${location.text}\`.`, { bucket: location.bucket });
}

/** Every object whose key starts with `prefix`, in key order. */
export async function* objectsUnder(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<_Object & { Key: string }> {
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of page.Contents ?? [])
      if (object.Key !== undefined) yield object as _Object & { Key: string };
  }
}

async function removeAll(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const removed = await deleteInBatches(s3, bucket, objectsUnder(s3, bucket, prefix), ({ Key }) => ({ Key }));
  return removed.map(({ Key }) => Key);
}

export async function removeBucket(target: string, options: { force?: boolean }, out: Output): Promise<void> {
  const location = remote(target, 'bucket');
  const s3 = s3Client(location.alias);
  // Every version and delete marker: a versioned bucket is empty only without them.
  if (options.force) await removeVersions(s3, location.bucket, '');
  await s3.send(new DeleteBucketCommand({ Bucket: location.bucket }));
  out.print(`Removed \`${location.text}\` successfully.`, { bucket: location.bucket });
}

export async function list(target: string, options: { recursive?: boolean }, out: Output): Promise<void> {
  const location = remote(target, 'alias');
  const s3 = s3Client(location.alias);
  if (location.bucket === '') {
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    for (const bucket of Buckets) {
      out.print(`${stamp(bucket.CreationDate)}     0B ${bucket.Name}/`, {
        type: 'folder',
        key: `${bucket.Name}/`,
        lastModified: bucket.CreationDate,
      });
    }
    return;
  }
  const prefix = location.key;
  const pages = paginateListObjectsV2(
    { client: s3 },
    { Bucket: location.bucket, Prefix: prefix, Delimiter: options.recursive ? undefined : '/' },
  );
  for await (const page of pages) {
    for (const common of page.CommonPrefixes ?? []) {
      const name = (common.Prefix ?? '').slice(prefix.lastIndexOf('/') + 1);
      out.print(`${' '.repeat(25)}     0B ${name}`, { type: 'folder', key: common.Prefix });
    }
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? '';
      const name = options.recursive ? key.slice(prefix.length) : key.slice(prefix.lastIndexOf('/') + 1);
      out.print(`${stamp(object.LastModified)} ${humanSize(object.Size ?? 0).padStart(6)} ${name}`, {
        type: 'file',
        key,
        size: object.Size,
        etag: object.ETag?.replaceAll('"', ''),
        lastModified: object.LastModified,
      });
    }
  }
}

export function contentTypeOf(path: string): string {
  return mime.getType(path) ?? 'application/octet-stream';
}

/** Uploads a file to `to` (its key, or the file's name under it when it ends with '/'). */
export async function upload(path: string, to: RemoteLocation, out: Output): Promise<number> {
  const size = statSync(path).size;
  const key = to.key === '' || to.key.endsWith('/') ? `${to.key}${basename(path)}` : to.key;
  const s3 = s3Client(to.alias);
  const transfer = new Upload({
    client: s3,
    // As mc: the type from the file's extension, else application/octet-stream.
    params: { Bucket: to.bucket, Key: key, Body: createReadStream(path), ContentType: contentTypeOf(path) },
    partSize: MULTIPART_THRESHOLD,
    queueSize: 4,
    leavePartsOnError: false,
  });
  // A progress bar for large files on a terminal; nothing in scripts or with --json.
  const bar = size > 1024 * 1024 && process.stderr.isTTY && !out.json ? new SingleBar({}) : undefined;
  bar?.start(size, 0);
  transfer.on('httpUploadProgress', (progress) => bar?.update(progress.loaded ?? 0));
  try {
    await transfer.done();
  } finally {
    bar?.stop();
  }
  out.print(`\`${path}\` -> \`${to.aliasName}/${to.bucket}/${key}\` (${humanSize(size)})`, {
    source: path,
    target: `${to.aliasName}/${to.bucket}/${key}`,
    size,
    multipart: size > MULTIPART_THRESHOLD,
  });
  return size;
}

/** Downloads the object at `from` to the file `path`. */
export async function download(from: RemoteLocation, path: string, out: Output): Promise<void> {
  const object = await s3Client(from.alias).send(
    new GetObjectCommand({ Bucket: from.bucket, Key: from.key }),
  );
  await pipeline(object.Body as NodeJS.ReadableStream, createWriteStream(path));
  out.print(`\`${from.text}\` -> \`${path}\` (${humanSize(object.ContentLength ?? 0)})`, {
    source: from.text,
    target: path,
    size: object.ContentLength,
  });
}

export async function copy(source: string, target: string, out: Output): Promise<void> {
  const from = parseLocation(source);
  const to = parseLocation(target);
  if (!from.remote && to.remote) {
    await upload(from.path, remote(target, 'bucket'), out);
    return;
  }
  if (from.remote && !to.remote) return download(remote(source, 'object'), to.path, out);
  if (from.remote && to.remote) {
    const src = remote(source, 'object');
    const dst = remote(target, 'bucket');
    const key = dst.key === '' || dst.key.endsWith('/') ? `${dst.key}${basename(src.key)}` : dst.key;
    if (src.aliasName !== dst.aliasName) throw new Error('copying between two servers is not supported');
    await s3Client(dst.alias).send(
      new CopyObjectCommand({
        Bucket: dst.bucket,
        Key: key,
        CopySource: `${src.bucket}/${src.key.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
    out.print(`\`${src.text}\` -> \`${dst.aliasName}/${dst.bucket}/${key}\``, {
      source: src.text,
      target: key,
    });
    return;
  }
  throw new Error('one of SOURCE and TARGET must be ALIAS/BUCKET[/KEY]');
}

export async function cat(target: string): Promise<void> {
  const location = remote(target, 'object');
  const object = await s3Client(location.alias).send(
    new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
  );
  await pipeline(object.Body as NodeJS.ReadableStream, process.stdout, { end: false });
}

export async function removeObjects(
  target: string,
  options: { recursive?: boolean; force?: boolean; versionId?: string; versions?: boolean },
  out: Output,
): Promise<void> {
  const location = remote(target, 'bucket');
  const s3 = s3Client(location.alias);
  if (options.versions) {
    if (!options.force) throw new Error('removing every version needs --force');
    const exactKey = options.recursive ? undefined : remote(target, 'object').key;
    for (const version of await removeVersions(s3, location.bucket, location.key, exactKey)) {
      const name = `${location.aliasName}/${location.bucket}/${version.key}`;
      out.print(`Removed \`${name}\` (versionId=${version.versionId}).`, {
        key: version.key,
        versionId: version.versionId,
      });
    }
    return;
  }
  if (options.recursive) {
    if (!options.force) throw new Error('removing recursively needs --force');
    for (const key of await removeAll(s3, location.bucket, location.key)) {
      out.print(`Removed \`${location.aliasName}/${location.bucket}/${key}\`.`, { key });
    }
    return;
  }
  const object = remote(target, 'object');
  const answer = await s3.send(
    new DeleteObjectCommand({ Bucket: object.bucket, Key: object.key, VersionId: options.versionId }),
  );
  const version = options.versionId !== undefined ? ` (versionId=${options.versionId})` : '';
  out.print(`Removed \`${object.text}\`${version}.`, {
    key: object.key,
    ...(answer.VersionId !== undefined ? { versionId: answer.VersionId } : {}),
    ...(answer.DeleteMarker ? { deleteMarker: true } : {}),
  });
}

export async function stat(target: string, out: Output): Promise<void> {
  const location = remote(target, 'object');
  const head = await s3Client(location.alias).send(
    new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }),
  );
  const etag = head.ETag?.replaceAll('"', '') ?? '';
  const lines = [
    `Name      : ${location.key}`,
    `Date      : ${head.LastModified?.toISOString() ?? ''}`,
    `Size      : ${humanSize(head.ContentLength ?? 0)}`,
    `ETag      : ${etag}`,
    `Type      : ${head.ContentType ?? ''}`,
    ...Object.entries(head.Metadata ?? {}).map(([name, value]) => `Metadata  : X-Amz-Meta-${name}: ${value}`),
  ];
  out.print(lines.join('\n'), {
    name: location.key,
    lastModified: head.LastModified,
    size: head.ContentLength,
    etag,
    type: head.ContentType,
    metadata: head.Metadata ?? {},
  });
}
