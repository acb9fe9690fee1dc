// A multipart upload's checksum, as S3 makes it: CreateMultipartUpload names an
// algorithm (x-amz-checksum-algorithm) and a type (x-amz-checksum-type); every
// part gets its checksum in that algorithm; completion checks the parts'
// checksums the client lists and makes the object's: COMPOSITE, the checksum
// of the parts' checksums with `-<parts>` after it, or FULL_OBJECT, the CRC
// of the whole object (CRC algorithms only; CRC64NVME has no other form).
import { headerValue, S3Errors } from '@bucket-events/s3-protocol';
import { type ChecksumAlgorithm, checksumHash, SUPPORTED_CHECKSUMS } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import type { PartRow, UploadRow } from '../storage/metadata.ts';

export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

const CRCS: readonly ChecksumAlgorithm[] = ['crc32', 'crc32c', 'crc64nvme'];

/** The algorithm and type CreateMultipartUpload asks for (none: no checksum). */
export function requestedUploadChecksum(context: S3Context): {
  algorithm: ChecksumAlgorithm | null;
  type: ChecksumType | null;
} {
  const headers = context.req.headers;
  const algorithm = headerValue(headers, 'x-amz-checksum-algorithm')?.toLowerCase() ?? null;
  const type = headerValue(headers, 'x-amz-checksum-type')?.toUpperCase() ?? null;
  if (algorithm === null) {
    if (type !== null)
      throw S3Errors.InvalidRequest(
        'The x-amz-checksum-type header can only be used with x-amz-checksum-algorithm.',
      );
    return { algorithm: null, type: null };
  }
  if (!(SUPPORTED_CHECKSUMS as readonly string[]).includes(algorithm))
    throw S3Errors.InvalidRequest(
      `Checksum algorithm ${algorithm.toUpperCase()} is not supported; use ${SUPPORTED_CHECKSUMS.join(', ').toUpperCase()}.`,
    );
  const chosen = algorithm as ChecksumAlgorithm;
  if (type !== null && type !== 'COMPOSITE' && type !== 'FULL_OBJECT')
    throw S3Errors.InvalidRequest(`Value for x-amz-checksum-type header is invalid: ${type}`);
  const resolved = (type ?? (chosen === 'crc64nvme' ? 'FULL_OBJECT' : 'COMPOSITE')) as ChecksumType;
  if (resolved === 'FULL_OBJECT' && !CRCS.includes(chosen))
    throw S3Errors.InvalidRequest(
      `The FULL_OBJECT checksum type cannot be used with the ${chosen} algorithm.`,
    );
  if (resolved === 'COMPOSITE' && chosen === 'crc64nvme')
    throw S3Errors.InvalidRequest('The COMPOSITE checksum type cannot be used with the crc64nvme algorithm.');
  return { algorithm: chosen, type: resolved };
}

/** `x-amz-checksum-algorithm` / `-type` on the answers about an upload that has a checksum. */
export function uploadChecksumHeaders(
  upload: Pick<UploadRow, 'checksumAlgorithm' | 'checksumType'>,
): Record<string, string> {
  if (!upload.checksumAlgorithm) return {};
  return {
    'x-amz-checksum-algorithm': upload.checksumAlgorithm.toUpperCase(),
    'x-amz-checksum-type': upload.checksumType ?? 'COMPOSITE',
  };
}

/** A part sent with another checksum than its upload's: refused, as S3 does. */
export function checkPartAlgorithm(upload: UploadRow, declared: string | undefined): void {
  if (!upload.checksumAlgorithm || declared === undefined || declared === upload.checksumAlgorithm) return;
  throw S3Errors.InvalidRequest(
    `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm}, actual checksum Type: ${declared}`,
  );
}

/** The element name of a checksum in S3's XML (`ChecksumCRC32`, `ChecksumCRC64NVME`, …). */
export function checksumElement(algorithm: string): string {
  return `Checksum${algorithm.toUpperCase()}`;
}

/**
 * The completed object's checksum (base64; `-<parts>` after a COMPOSITE one), or undefined for an
 * upload without one. `requested` are the Checksum* the client listed per part: each must be the
 * part's. `readWhole` streams the whole object, for a FULL_OBJECT CRC.
 */
export async function completedChecksum(
  upload: UploadRow,
  parts: readonly PartRow[],
  requested: readonly (string | undefined)[],
  readWhole: () => AsyncIterable<Buffer>,
): Promise<{ algorithm: ChecksumAlgorithm; value: string; type: ChecksumType } | undefined> {
  const algorithm = upload.checksumAlgorithm as ChecksumAlgorithm | null;
  if (!algorithm) return undefined;
  parts.forEach((part, index) => {
    const listed = requested[index];
    if (listed !== undefined && listed !== part.checksum)
      throw S3Errors.InvalidPart(undefined, undefined, { PartNumber: String(part.partNumber) });
  });
  const type = upload.checksumType ?? 'COMPOSITE';
  const hash = checksumHash(algorithm);
  if (type === 'FULL_OBJECT') {
    for await (const chunk of readWhole()) hash.update(chunk);
    return { algorithm, value: await hash.digestBase64(), type };
  }
  for (const part of parts) {
    if (!part.checksum)
      throw S3Errors.InvalidRequest(`Part ${part.partNumber} has no ${algorithm} checksum.`);
    hash.update(Buffer.from(part.checksum, 'base64'));
  }
  return { algorithm, value: `${await hash.digestBase64()}-${parts.length}`, type };
}
