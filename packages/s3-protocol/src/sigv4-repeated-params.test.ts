// A repeated query parameter (`mc watch`: events=…&events=…&events=…) signed
// by either rule verifies: minio-go's (keys sorted, values in the order sent,
// as Go's url.Values.Encode and MinIO) and the AWS SDKs' (values sorted too).
// A request whose values were reordered after signing does not.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { accessKeyId, EMPTY_SHA256, goEscape, secret, signedLikeMinioGo } from '../test/minio-go-signer.ts';
import { S3Error } from './errors.ts';
import { type RequestToVerify, verifyRequest } from './sigv4.ts';

const now = new Date('2026-11-25T12:00:00Z');
const lookupSecret = (id: string) => (id === accessKeyId ? secret : undefined);

/** mc watch's query, exactly as minio-go sends it. */
const WATCH: [string, string][] = [
  ['events', 's3:ObjectCreated:*'],
  ['events', 's3:ObjectRemoved:*'],
  ['events', 's3:ObjectAccessed:*'],
  ['ping', '10'],
  ['prefix', ''],
  ['suffix', ''],
];

function errorCode(request: RequestToVerify): string | undefined {
  try {
    verifyRequest(request, { region: 'us-east-1', lookupSecret, now });
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
  return undefined;
}

/** The AWS SDK's own signer, for the given region. */
const sdkSigner = (region: string) =>
  new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret },
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
  });

describe('repeated query parameters', () => {
  it("verify when signed by minio-go's rule (mc watch)", () => {
    expect(errorCode(signedLikeMinioGo('/images2/', WATCH))).toBeUndefined();
  });

  it("verify when signed by the AWS SDK's rule (values sorted)", async () => {
    const signer = sdkSigner('us-east-1');
    const request = new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9000,
      path: '/images2/',
      query: {
        events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*', 's3:ObjectAccessed:*'],
        ping: '10',
        prefix: '',
      },
      headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': EMPTY_SHA256 },
    });
    const out = (await signer.sign(request, { signingDate: now })) as HttpRequest;
    const rawQuery = Object.entries(out.query)
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((value) => `${k}=${goEscape(String(value))}`))
      .join('&');
    const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(errorCode({ method: 'GET', rawPath: '/images2/', rawQuery, headers })).toBeUndefined();
  });

  it('verify with empty and repeated empty values in the order given', () => {
    const query: [string, string][] = [
      ['b', ''],
      ['a', 'z'],
      ['a', ''],
      ['a', 'm'],
    ];
    expect(errorCode(signedLikeMinioGo('/bucket', query))).toBeUndefined();
  });

  it('do not verify when the values were reordered after signing', () => {
    const reordered: [string, string][] = [WATCH[1], WATCH[0], ...WATCH.slice(2)] as [string, string][];
    expect(errorCode(signedLikeMinioGo('/images2/', WATCH, reordered))).toBe('SignatureDoesNotMatch');
    const changed = WATCH.map(([k, v]) => [k, k === 'ping' ? '11' : v]) as [string, string][];
    expect(errorCode(signedLikeMinioGo('/images2/', WATCH, changed))).toBe('SignatureDoesNotMatch');
  });
});

describe("the empty region of MinIO's admin client", () => {
  it('verifies only where the caller allows it (admin paths)', async () => {
    const signer = sdkSigner('');
    const out = (await signer.sign(
      new HttpRequest({
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 9000,
        path: '/minio/admin/v3/info',
        headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': EMPTY_SHA256 },
      }),
      { signingDate: now },
    )) as HttpRequest;
    const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const request = { method: 'GET', rawPath: '/minio/admin/v3/info', rawQuery: '', headers };
    const verify = (acceptEmptyRegion: boolean) => {
      try {
        verifyRequest(request, { region: 'us-east-1', lookupSecret, now, acceptEmptyRegion });
        return 'ok';
      } catch (error) {
        if (error instanceof S3Error) return error.code;
        throw error;
      }
    };
    expect(verify(false)).toBe('AuthorizationHeaderMalformed');
    expect(verify(true)).toBe('ok');
  });
});
