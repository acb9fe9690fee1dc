// Signatures made by the AWS SDK's own signer (@smithy/signature-v4) must
// verify here; anything tampered with must not.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { S3Error } from './errors.ts';
import { awsUriEncode, type RequestToVerify, sha256Hex, verifyRequest } from './sigv4.ts';

const credentials = { accessKeyId: 'minioadmin', secretAccessKey: 'minio-secret' };
const region = 'us-east-1';
const now = new Date('2026-11-25T12:00:00Z');
const lookupSecret = (id: string) =>
  id === credentials.accessKeyId ? credentials.secretAccessKey : undefined;
const signer = new SignatureV4({ credentials, region, service: 's3', sha256: Sha256, uriEscapePath: false });

function encodeKeyPath(bucket: string, key: string) {
  return `/${bucket}/${key.split('/').map(awsUriEncode).join('/')}`;
}

async function signed(
  method: string,
  path: string,
  query: Record<string, string> = {},
  body = '',
  extraHeaders: Record<string, string> = {},
): Promise<RequestToVerify> {
  const request = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9000,
    path,
    query,
    headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': sha256Hex(body), ...extraHeaders },
    body,
  });
  const out = await signer.sign(request, { signingDate: now });
  return toVerify(out as HttpRequest);
}

function toVerify(request: HttpRequest): RequestToVerify {
  const rawQuery = Object.entries(request.query)
    .map(([k, v]) => `${awsUriEncode(k)}=${awsUriEncode(String(v))}`)
    .join('&');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return { method: request.method, rawPath: request.path, rawQuery, headers };
}

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
  return undefined;
}

describe('verifyRequest: Authorization header', () => {
  it.each([
    'plain.txt',
    'dir/sub dir/file with spaces.jpg',
    'unicode/日本語/ファイル.jpg',
    'a+b%c!d(e)*f~g.txt',
    "quote's/and=equals&amp.txt",
  ])('accepts an SDK signature for key %j', async (key) => {
    const request = await signed('PUT', encodeKeyPath('bucket', key), { 'x-id': 'PutObject' }, 'hello');
    const result = verifyRequest(request, { region, lookupSecret, now });
    expect(result.accessKeyId).toBe('minioadmin');
    expect(result.payload).toEqual({ kind: 'sha256', sha256: sha256Hex('hello') });
  });

  it('accepts sub-resource queries such as ?notification= and ?list-type=2&prefix=a b', async () => {
    const request = await signed('GET', '/bucket', { 'list-type': '2', prefix: 'a b+c', delimiter: '/' });
    expect(verifyRequest(request, { region, lookupSecret, now }).accessKeyId).toBe('minioadmin');
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const request = await signed('GET', '/bucket');
    expect(errorCode(() => verifyRequest(request, { region, lookupSecret: () => 'wrong', now }))).toBe(
      'SignatureDoesNotMatch',
    );
  });

  it('refuses an unknown access key with InvalidAccessKeyId', async () => {
    const request = await signed('GET', '/bucket');
    expect(errorCode(() => verifyRequest(request, { region, lookupSecret: () => undefined, now }))).toBe(
      'InvalidAccessKeyId',
    );
  });

  it('refuses a tampered path, query or signed header', async () => {
    const request = await signed('GET', '/bucket/key', { prefix: 'a' }, '', { 'x-amz-meta-a': '1' });
    expect(
      errorCode(() => verifyRequest({ ...request, rawPath: '/bucket/other' }, { region, lookupSecret, now })),
    ).toBe('SignatureDoesNotMatch');
    expect(
      errorCode(() => verifyRequest({ ...request, rawQuery: 'prefix=b' }, { region, lookupSecret, now })),
    ).toBe('SignatureDoesNotMatch');
    const headers = { ...request.headers, 'x-amz-meta-a': '2' };
    expect(errorCode(() => verifyRequest({ ...request, headers }, { region, lookupSecret, now }))).toBe(
      'SignatureDoesNotMatch',
    );
  });

  it('refuses a request dated more than 15 minutes away', async () => {
    const request = await signed('GET', '/bucket');
    const later = new Date(now.getTime() + 16 * 60 * 1000);
    expect(errorCode(() => verifyRequest(request, { region, lookupSecret, now: later }))).toBe(
      'RequestTimeTooSkewed',
    );
  });

  it('refuses another region with AuthorizationHeaderMalformed', async () => {
    const request = await signed('GET', '/bucket');
    expect(errorCode(() => verifyRequest(request, { region: 'eu-west-1', lookupSecret, now }))).toBe(
      'AuthorizationHeaderMalformed',
    );
  });

  it('refuses anonymous requests with AccessDenied', () => {
    const request = { method: 'GET', rawPath: '/', rawQuery: '', headers: { host: 'x' } };
    expect(errorCode(() => verifyRequest(request, { region, lookupSecret, now }))).toBe('AccessDenied');
  });

  it('reports the streaming and unsigned payload modes', async () => {
    for (const [value, kind] of [
      ['UNSIGNED-PAYLOAD', 'unsigned'],
      ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'streaming-signed'],
      ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'streaming-unsigned-trailer'],
    ] as const) {
      const request = new HttpRequest({
        method: 'PUT',
        hostname: '127.0.0.1',
        path: '/b/k',
        headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': value },
      });
      const verified = verifyRequest(
        toVerify((await signer.sign(request, { signingDate: now })) as HttpRequest),
        {
          region,
          lookupSecret,
          now,
        },
      );
      expect(verified.payload.kind).toBe(kind);
    }
  });
});

describe('verifyRequest: presigned URLs', () => {
  async function presigned(expiresIn: number, path = '/bucket/photo.jpg') {
    const request = new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9000,
      path,
      // As @aws-sdk/s3-request-presigner does: sign with UNSIGNED-PAYLOAD, never send the header.
      headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const only = new Set(['x-amz-content-sha256']);
    const url = await signer.presign(request, {
      signingDate: now,
      expiresIn,
      unsignableHeaders: only,
      unhoistableHeaders: only,
    });
    const verify = toVerify(url as HttpRequest);
    delete verify.headers['x-amz-content-sha256'];
    return verify;
  }

  it('accepts a valid presigned GET', async () => {
    const request = await presigned(600);
    expect(verifyRequest(request, { region, lookupSecret, now }).payload).toEqual({ kind: 'unsigned' });
  });

  it('refuses an expired one with AccessDenied', async () => {
    const request = await presigned(60);
    const later = new Date(now.getTime() + 61_000);
    const error = (() => {
      try {
        verifyRequest(request, { region, lookupSecret, now: later });
      } catch (e) {
        return e as S3Error;
      }
    })();
    expect(error?.code).toBe('AccessDenied');
    expect(error?.message).toBe('Request has expired');
  });

  it('refuses a presigned URL whose path was changed', async () => {
    const request = await presigned(600);
    expect(
      errorCode(() =>
        verifyRequest({ ...request, rawPath: '/bucket/other.jpg' }, { region, lookupSecret, now }),
      ),
    ).toBe('SignatureDoesNotMatch');
  });
});
