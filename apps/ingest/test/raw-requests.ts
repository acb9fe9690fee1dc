// Hand-built S3 requests for tests that must send what an SDK would refuse to:
// bodies that do not match their signed hash, aws-chunked bodies with chunk
// signatures, anonymous requests. Signed with the AWS SDK's own signer.

import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { awsUriEncode, sha256Hex, signingKey } from '@bucket-events/s3-protocol';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(
  endpoint: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<RawResponse> {
  const url = new URL(path, endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function errorCode(response: RawResponse): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(response.body)?.[1];
}

export function keyPath(bucket: string, key: string) {
  return `/${bucket}/${key.split('/').map(awsUriEncode).join('/')}`;
}

/** Query parameters for the signer; a repeated name becomes a list (signed once per value). */
function queryObject(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const previous = out[name];
    out[name] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return out;
}

/** Signs a request with the given payload hash (which need not match the body sent). */
export async function signedHeaders(
  endpoint: string,
  method: string,
  path: string,
  payloadHash: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  extra: Record<string, string> = {},
  signingDate = new Date(),
  region = 'us-east-1',
): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    credentials,
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
  });
  const [pathname, query = ''] = path.split('?');
  const signed = await signer.sign(
    new HttpRequest({
      method,
      hostname: url.hostname,
      port: Number(url.port),
      path: pathname,
      query: queryObject(query),
      headers: { host: url.host, 'x-amz-content-sha256': payloadHash, ...extra },
    }),
    { signingDate },
  );
  return signed.headers as Record<string, string>;
}

/**
 * An aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) upload as the MinIO
 * client sends it, with `tamper` flipping a byte of the second chunk after signing.
 */
export async function chunkedUpload(
  endpoint: string,
  path: string,
  data: Buffer,
  credentials: { accessKeyId: string; secretAccessKey: string },
  chunkSize = 64 * 1024,
  tamper = false,
): Promise<RawResponse> {
  const date = new Date();
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  chunks.push(Buffer.alloc(0));
  const signedLength = chunks.reduce(
    (sum, chunk) =>
      sum + chunk.length.toString(16).length + ';chunk-signature='.length + 64 + 4 + chunk.length,
    0,
  );
  const headers = await signedHeaders(
    endpoint,
    'PUT',
    path,
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    credentials,
    {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
      'content-length': String(signedLength),
    },
    date,
  );
  const amzDate = headers['x-amz-date'] as string;
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const key = signingKey(credentials.secretAccessKey, scope);
  let previous = /Signature=([0-9a-f]{64})/.exec(headers.authorization as string)?.[1] as string;
  const parts: Buffer[] = [];
  chunks.forEach((chunk, index) => {
    const stringToSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      amzDate,
      scope,
      previous,
      sha256Hex(''),
      sha256Hex(chunk),
    ].join('\n');
    const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
    previous = signature;
    const sent = tamper && index === 1 ? Buffer.from(chunk).fill(0x7a, 0, 1) : chunk;
    parts.push(
      Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`),
      sent,
      Buffer.from('\r\n'),
    );
  });
  return send(endpoint, 'PUT', path, headers, Buffer.concat(parts));
}
