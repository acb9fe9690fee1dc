// Signs requests the way minio-go (and so `mc`) does, written independently of
// the verifier under test: Go's url.Values.Encode for the query (keys sorted,
// each key's values in the order given), Go's QueryEscape with `+` as `%20`.
import { createHash, createHmac } from 'node:crypto';
import type { RequestToVerify } from '../src/sigv4.ts';

export const accessKeyId = 'minioadmin';
export const secret = 'minio-secret';
/** The signing time of every request signed here: verify with `now` = 2026-11-25T12:00:00Z. */
export const amzDate = '20261125T120000Z';
const scope = '20261125/us-east-1/s3/aws4_request';
export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** Go's url.QueryEscape with `+` turned into `%20`, as minio-go's signer does (independent of the code tested). */
export const goEscape = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Go's url.Values.Encode: keys sorted, each key's values in the order given. */
const goEncode = (query: [string, string][]) =>
  [...query]
    .map(([k, v], index) => ({ k: goEscape(k), v: goEscape(v), index }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.index - b.index))
    .map(({ k, v }) => `${k}=${v}`)
    .join('&');

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** Signs as minio-go does; `sent` is the query as it goes on the wire (defaults to what was signed). */
export function signedLikeMinioGo(path: string, query: [string, string][], sent = query): RequestToVerify {
  const host = '127.0.0.1:9000';
  const canonical = [
    'GET',
    path,
    goEncode(query),
    `host:${host}\nx-amz-content-sha256:${EMPTY_SHA256}\nx-amz-date:${amzDate}\n`,
    'host;x-amz-content-sha256;x-amz-date',
    EMPTY_SHA256,
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer = hmac(`AWS4${secret}`, '20261125');
  for (const part of ['us-east-1', 's3', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    method: 'GET',
    rawPath: path,
    rawQuery: sent.map(([k, v]) => `${goEscape(k)}=${goEscape(v)}`).join('&'),
    headers: {
      host,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': EMPTY_SHA256,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${signature}`,
    },
  };
}
