// The aws-chunked decoder against AWS's published example (S3 docs,
// "Signature calculations for the Authorization header: Transferring payload
// in multiple chunks"), plus tampering and the unsigned trailer form.
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder } from './aws-chunked.ts';
import type { SigningContext } from './sigv4.ts';

const example: SigningContext = {
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  signature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
};
const chunk1 = Buffer.alloc(65536, 'a');
const chunk2 = Buffer.alloc(1024, 'a');
const signatures = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];

function exampleBody(tamper = false) {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
    tamper ? Buffer.alloc(65536, 'b') : chunk1,
    Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
    chunk2,
    Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n\r\n`),
  ]);
}

/** Feeds the body in small uneven pieces, as a socket would. */
function decode(body: Buffer, decoder: AwsChunkedDecoder, pieceSize = 777) {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += pieceSize) pieces.push(body.subarray(i, i + pieceSize));
  return buffer(Readable.from(pieces).pipe(decoder));
}

describe('AwsChunkedDecoder', () => {
  it('decodes the AWS example and checks every chunk signature', async () => {
    const data = await decode(exampleBody(), new AwsChunkedDecoder({ signing: example, trailer: false }));
    expect(data.length).toBe(66560);
    expect(data.equals(Buffer.concat([chunk1, chunk2]))).toBe(true);
  });

  it('fails on a chunk whose data does not match its signature', async () => {
    await expect(
      decode(exampleBody(true), new AwsChunkedDecoder({ signing: example, trailer: false })),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('fails when the seed signature is not the one the chunks chain from', async () => {
    const wrongSeed = { ...example, signature: '0'.repeat(64) };
    await expect(
      decode(exampleBody(), new AwsChunkedDecoder({ signing: wrongSeed, trailer: false })),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('fails on a body cut short', async () => {
    const body = exampleBody().subarray(0, 66000);
    await expect(
      decode(body, new AwsChunkedDecoder({ signing: example, trailer: false })),
    ).rejects.toMatchObject({
      code: 'IncompleteBody',
    });
  });

  it('decodes an unsigned body with a checksum trailer', async () => {
    const decoder = new AwsChunkedDecoder({ trailer: true });
    const body = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    const data = await decode(body, decoder, 3);
    expect(data.toString()).toBe('hello world');
    expect(decoder.trailers).toEqual({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
  });
});
