// Folder trees. `cp --recursive` copies a folder to a bucket, or everything under
// a prefix to a folder, as `cp -r` does: the folder itself (`photos` →
// `…/photos/…`) or, with a trailing slash, its contents. `mirror` makes a bucket
// prefix hold a local folder's contents, as mc mirror does: only files missing
// there or different go; an object that differs is replaced only with
// --overwrite; --remove deletes objects the folder no longer has.
import { createHash } from 'node:crypto';
import { createReadStream, type Dirent, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type _Object, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../client.ts';
import { parseLocation, remote } from '../location.ts';
import { humanSize, type Output } from '../output.ts';
import { download, objectsUnder, upload } from './objects.ts';

/** A key prefix as a folder: '' stays '', anything else ends with '/'. */
const asFolder = (key: string) => (key === '' || key.endsWith('/') ? key : `${key}/`);

/** Every file under `dir`, relative to it with '/' separators, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

function requireFolder(path: string): string {
  const folder = path.replace(/\/+$/, '') || '/';
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`"${path}" is not a folder`);
  return folder;
}

export async function copyRecursive(source: string, target: string, out: Output): Promise<void> {
  const from = parseLocation(source);
  const to = parseLocation(target);
  if (!from.remote && to.remote) {
    const destination = remote(target, 'bucket');
    const folder = requireFolder(from.path);
    const base = asFolder(destination.key) + (from.path.endsWith('/') ? '' : `${basename(folder)}/`);
    for (const file of filesUnder(folder))
      await upload(join(folder, file), { ...destination, key: `${base}${file}` }, out);
    return;
  }
  if (from.remote && !to.remote) {
    const origin = remote(source, 'bucket');
    // `photos/` copies what is in it; `photos` the folder itself, so paths keep `photos/`.
    const base = origin.key.endsWith('/') ? origin.key : origin.key.slice(0, origin.key.lastIndexOf('/') + 1);
    const s3 = s3Client(origin.alias);
    for await (const object of objectsUnder(s3, origin.bucket, asFolder(origin.key))) {
      const path = join(to.path, ...object.Key.slice(base.length).split('/'));
      mkdirSync(dirname(path), { recursive: true });
      const text = `${origin.aliasName}/${origin.bucket}/${object.Key}`;
      await download({ ...origin, key: object.Key, text }, path, out);
    }
    return;
  }
  throw new Error('cp --recursive copies between a local folder and ALIAS/BUCKET[/PREFIX]');
}

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Same size, and the same MD5 where the ETag is one (a multipart ETag is not: size alone then). */
async function sameContent(path: string, object: _Object): Promise<boolean> {
  if (statSync(path).size !== object.Size) return false;
  const etag = (object.ETag ?? '').replaceAll('"', '');
  return etag.includes('-') || etag === (await md5Of(path));
}

export async function mirror(
  source: string,
  target: string,
  options: { overwrite?: boolean; remove?: boolean },
  out: Output,
): Promise<void> {
  const from = parseLocation(source);
  if (from.remote) throw new Error('mirror copies a local folder to ALIAS/BUCKET[/PREFIX]');
  const folder = requireFolder(from.path);
  const destination = remote(target, 'bucket');
  const prefix = asFolder(destination.key);
  const s3 = s3Client(destination.alias);
  const existing = new Map<string, _Object>();
  for await (const object of objectsUnder(s3, destination.bucket, prefix)) existing.set(object.Key, object);
  const files = filesUnder(folder);
  const differing: string[] = [];
  let transferred = 0;
  let bytes = 0;
  for (const file of files) {
    const key = `${prefix}${file}`;
    const there = existing.get(key);
    if (there && (await sameContent(join(folder, file), there))) continue;
    if (there && !options.overwrite) {
      differing.push(key);
      continue;
    }
    bytes += await upload(join(folder, file), { ...destination, key }, out);
    transferred += 1;
  }
  let removed = 0;
  if (options.remove) {
    const local = new Set(files.map((file) => `${prefix}${file}`));
    for (const key of existing.keys()) {
      if (local.has(key)) continue;
      await s3.send(new DeleteObjectCommand({ Bucket: destination.bucket, Key: key }));
      out.print(`Removed \`${destination.aliasName}/${destination.bucket}/${key}\`.`, { key, removed: true });
      removed += 1;
    }
  }
  out.print(
    `Total: ${files.length} files, transferred ${transferred} (${humanSize(bytes)}), removed ${removed}, unchanged ${files.length - transferred - differing.length}`,
    { files: files.length, transferred, bytes, removed, differing },
  );
  if (differing.length > 0)
    throw new Error(
      `${differing.length} object(s) differ from the local files and were left as they are (use --overwrite): ${differing.join(', ')}`,
    );
}
