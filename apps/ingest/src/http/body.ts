// Request bodies: read as declared (signed SHA-256, unsigned, or aws-chunked
// with per-chunk signatures and trailing checksums) and checked against every
// digest the client sent (x-amz-content-sha256, Content-MD5, x-amz-checksum-*).
// Object bodies stream through; nothing is buffered whole.
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc64NvmeJs } from '@aws-sdk/checksums/crc';
import { AwsChunkedDecoder, headerValue, S3Errors } from '@bucket-events/s3-protocol';
import { crc32c } from '@node-rs/crc32';
import type { S3Context } from './context.ts';

/** Every x-amz-checksum-* algorithm S3 (and MinIO) accepts; the current SDKs and CLIs offer all of them. */
export const SUPPORTED_CHECKSUMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof SUPPORTED_CHECKSUMS)[number];

export interface BodyDigests {
  size: number;
  md5Hex: string;
  /** Base64 checksums the client asked for (header or trailer), verified. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface MeasuredBody {
  /** The object's bytes; iterate once. Throws if the transport or a chunk signature fails. */
  data: AsyncIterable<Buffer>;
  /** After `data` is consumed: every declared digest checked; rejects with the matching S3 error. */
  finish(): Promise<BodyDigests>;
}

/** CRC32 (zlib's) or CRC32C (hardware, @node-rs/crc32): 4 bytes, big-endian, base64. */
class Crc32Hash {
  private value = 0;
  constructor(private readonly crc: (chunk: Buffer, previous: number) => number) {}
  update(chunk: Buffer) {
    this.value = this.crc(chunk, this.value);
  }
  async digestBase64(): Promise<string> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return out.toString('base64');
  }
}

export type ChecksumHash = { update(chunk: Buffer): void; digestBase64(): Promise<string> };

export function checksumHash(algorithm: ChecksumAlgorithm): ChecksumHash {
  if (algorithm === 'crc32') return new Crc32Hash(crc32);
  if (algorithm === 'crc32c') return new Crc32Hash(crc32c);
  if (algorithm === 'crc64nvme') {
    const crc = new Crc64NvmeJs();
    return {
      update: (chunk) => crc.update(chunk),
      digestBase64: async () => Buffer.from(await crc.digest()).toString('base64'),
    };
  }
  const hash: Hash = createHash(algorithm);
  return { update: (chunk) => hash.update(chunk), digestBase64: async () => hash.digest('base64') };
}

/** Which x-amz-checksum-* the request declares (header now, or trailer later). */
function declaredChecksum(context: S3Context): ChecksumAlgorithm | undefined {
  const headers = context.req.headers;
  const named = (
    headerValue(headers, 'x-amz-sdk-checksum-algorithm') ??
    headerValue(headers, 'x-amz-trailer') ??
    ''
  )
    .toLowerCase()
    .replace('x-amz-checksum-', '');
  const present = SUPPORTED_CHECKSUMS.find(
    (algorithm) => headers[`x-amz-checksum-${algorithm}`] !== undefined,
  );
  if (present) return present;
  if (named === '') return undefined;
  if ((SUPPORTED_CHECKSUMS as readonly string[]).includes(named)) return named as ChecksumAlgorithm;
  throw S3Errors.InvalidRequest(
    `Checksum algorithm ${named.toUpperCase()} is not supported; use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.`,
  );
}

/**
 * Streams and measures an object body, enforcing the size the client declared. `alsoCompute`: a
 * checksum computed (and returned) even when the request declares none, as a multipart upload's
 * parts need their upload's algorithm.
 */
export function measureBody(
  context: S3Context,
  maxBytes: number,
  { alsoCompute }: { alsoCompute?: ChecksumAlgorithm } = {},
): MeasuredBody {
  const { req, payload } = context;
  const streaming = payload.kind === 'streaming-signed' || payload.kind === 'streaming-unsigned-trailer';
  const declaredLength = streaming
    ? headerValue(req.headers, 'x-amz-decoded-content-length')
    : headerValue(req.headers, 'content-length');
  if (declaredLength === undefined || !/^\d+$/.test(declaredLength)) {
    throw S3Errors.MissingContentLength();
  }
  const expectedSize = Number(declaredLength);
  if (expectedSize > maxBytes) throw S3Errors.EntityTooLarge();

  const contentMd5 = headerValue(req.headers, 'content-md5');
  if (contentMd5 !== undefined && Buffer.from(contentMd5, 'base64').length !== 16)
    throw S3Errors.InvalidDigest();
  const algorithm = declaredChecksum(context);

  const decoder = streaming
    ? new AwsChunkedDecoder({
        signing: payload.kind === 'streaming-signed' ? payload.context : undefined,
        trailer:
          payload.kind === 'streaming-unsigned-trailer' ||
          (payload.kind === 'streaming-signed' && payload.trailer),
      })
    : undefined;
  const source: AsyncIterable<Buffer> = decoder ? req.pipe(decoder) : req;
  req.on('error', (error) => decoder?.destroy(error));

  const md5 = createHash('md5');
  const sha256 = payload.kind === 'sha256' ? createHash('sha256') : undefined;
  const computed = algorithm ?? alsoCompute;
  const checksum = computed ? checksumHash(computed) : undefined;
  let size = 0;

  async function* data() {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > expectedSize) throw S3Errors.IncompleteBody('The body is longer than the declared length.');
      md5.update(chunk);
      sha256?.update(chunk);
      checksum?.update(chunk);
      yield chunk;
    }
  }

  return {
    data: data(),
    async finish() {
      if (size !== expectedSize) throw S3Errors.IncompleteBody();
      if (payload.kind === 'sha256' && sha256?.digest('hex') !== payload.sha256)
        throw S3Errors.XAmzContentSHA256Mismatch();
      const md5Buffer = md5.digest();
      if (contentMd5 !== undefined && md5Buffer.toString('base64') !== contentMd5) throw S3Errors.BadDigest();
      const checksums: BodyDigests['checksums'] = {};
      if (computed && checksum) {
        const value = await checksum.digestBase64();
        if (algorithm) {
          const header = `x-amz-checksum-${algorithm}`;
          const given = headerValue(req.headers, header) ?? decoder?.trailers[header];
          if (given === undefined)
            throw S3Errors.InvalidRequest(`Missing the ${header} checksum the request announced.`);
          if (given !== value)
            throw S3Errors.BadDigest(
              `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
            );
        }
        checksums[computed] = value;
      }
      return { size, md5Hex: md5Buffer.toString('hex'), checksums };
    },
  };
}

/** Reads a small request body (XML documents), verified as declared. */
export async function readSmallBody(context: S3Context, maxBytes: number): Promise<string> {
  const length = headerValue(context.req.headers, 'content-length');
  const streaming = context.payload.kind !== 'sha256' && context.payload.kind !== 'unsigned';
  if (!streaming && (length === undefined || Number(length) > maxBytes)) {
    if (length === undefined) throw S3Errors.MissingContentLength();
    throw S3Errors.MalformedXML();
  }
  const body = measureBody(context, maxBytes);
  const chunks: Buffer[] = [];
  for await (const chunk of body.data) chunks.push(chunk);
  await body.finish();
  return Buffer.concat(chunks).toString('utf8');
}

/** `x-amz-checksum-<algorithm>` answer headers for the checksums a body was verified against. */
export function checksumHeaders(checksums: BodyDigests['checksums']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(checksums).map(([algorithm, value]) => [`x-amz-checksum-${algorithm}`, value]),
  );
}
