// POST Object: browser-based uploads with a signed policy (multipart/form-data).
// The form's fields are read up to the file, the policy verified, then the file
// streams to a data file and commits with an ObjectCreated:Post record.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { renderXml, S3Errors, verifyPostPolicy } from '@bucket-events/s3-protocol';
import busboy from 'busboy';
import type { S3Context } from '../http/context.ts';
import { sendEmpty, sendXml } from '../http/respond.ts';
import { requireBucket } from './buckets.ts';
import { mutationDraft } from './mutation.ts';
import { assertValidKey } from './names.ts';
import { lockForNewVersion } from './object-lock.ts';
import { versionHeader } from './versioning.ts';

const MAX_FIELDS_BYTES = 64 * 1024;

interface FormFile {
  stream: Readable;
  filename: string;
  fields: Map<string, string>;
}

/** Reads fields until the file part; resolves with the file's stream (not yet consumed). */
function readForm(context: S3Context): Promise<FormFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: context.req.headers,
        limits: { fieldSize: MAX_FIELDS_BYTES, files: 1, fields: 100 },
      });
    } catch {
      reject(S3Errors.MalformedXML('The body of a POST upload must be multipart/form-data.'));
      return;
    }
    const fields = new Map<string, string>();
    let settled = false;
    parser.on('field', (name, value) => {
      fields.set(name.toLowerCase(), value);
    });
    parser.on('file', (_name, stream, info) => {
      settled = true;
      resolve({ stream, filename: info.filename ?? '', fields });
    });
    parser.on('error', (error) => {
      if (!settled) reject(S3Errors.MalformedXML(`Malformed POST form: ${(error as Error).message}`));
    });
    parser.on('close', () => {
      if (!settled) reject(S3Errors.InvalidArgument('POST requires exactly one file upload per request.'));
    });
    context.req.pipe(parser);
  });
}

export async function postObject(
  context: S3Context,
  lookupSecret: (id: string) => string | undefined,
): Promise<void> {
  const { deps, bucket } = context;
  const bucketRow = requireBucket(context);
  const form = await readForm(context);
  const rawKey = form.fields.get('key');
  if (rawKey === undefined) throw S3Errors.InvalidArgument("Bucket POST must contain a field named 'key'.");
  // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own ${filename} placeholder
  const key = rawKey.replaceAll('${filename}', form.filename);
  assertValidKey(key);
  const verified = verifyPostPolicy({
    fields: form.fields,
    bucket,
    key,
    region: deps.config.region,
    lookupSecret,
  });
  context.principal = verified.accessKeyId;

  const md5 = createHash('md5');
  let size = 0;
  const max = verified.contentLengthRange?.max ?? deps.limits.maxSinglePutBytes;
  async function* data() {
    for await (const chunk of form.stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) throw S3Errors.EntityTooLarge();
      md5.update(chunk);
      yield chunk;
    }
  }
  const dataFile = await deps.store.writeData(data());
  try {
    if ((form.stream as Readable & { truncated?: boolean }).truncated) throw S3Errors.EntityTooLarge();
    if (verified.contentLengthRange && size < verified.contentLengthRange.min)
      throw S3Errors.EntityTooSmall();
    const etag = md5.digest('hex');
    const contentType = form.fields.get('content-type') ?? 'binary/octet-stream';
    const userMetadata = Object.fromEntries(
      [...form.fields].filter(([name]) => name.startsWith('x-amz-meta-')),
    );
    const standard = Object.fromEntries(
      [...form.fields].filter(([name]) =>
        ['cache-control', 'content-disposition', 'content-encoding', 'expires'].includes(name),
      ),
    );
    const now = new Date();
    const lock = lockForNewVersion(context, bucketRow, now);
    const versionId = await deps.store.commitPut(
      {
        bucket,
        key,
        size,
        etag,
        contentType,
        headers: standard,
        userMetadata,
        checksums: {},
        lastModified: now.toISOString(),
        dataFile,
        lock,
      },
      mutationDraft(
        context,
        's3:ObjectCreated:Post',
        { key, size, eTag: etag, contentType, userMetadata },
        now,
      ),
    );
    respond(context, form.fields, key, etag, versionHeader(bucketRow, versionId));
  } catch (error) {
    await deps.store.discard(dataFile);
    throw error;
  }
}

/** success_action_redirect (303), or success_action_status 200 / 201 (PostResponse XML) / 204 (default). */
function respond(
  context: S3Context,
  fields: Map<string, string>,
  key: string,
  etag: string,
  version: Record<string, string>,
) {
  const headers = {
    ...version,
    etag: `"${etag}"`,
    location: `${context.originEndpoint}/${context.bucket}/${encodeURI(key)}`,
  };
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (redirect) {
    try {
      const url = new URL(redirect);
      url.searchParams.set('bucket', context.bucket);
      url.searchParams.set('key', key);
      url.searchParams.set('etag', `"${etag}"`);
      sendEmpty(context.res, 303, { ...headers, location: url.toString() });
      return;
    } catch {
      // Not a URL: S3 ignores it and answers with the status instead.
    }
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    sendXml(
      context.res,
      201,
      renderXml('PostResponse', {
        Location: headers.location,
        Bucket: context.bucket,
        Key: key,
        ETag: `"${etag}"`,
      }),
      headers,
    );
    return;
  }
  sendEmpty(context.res, status === '200' ? 200 : 204, headers);
}
