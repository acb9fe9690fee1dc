// Bucket and key rules, as S3 applies them.
import { S3Errors } from '@bucket-events/s3-protocol';

/** DNS-compatible bucket names: 3–63 of a-z 0-9 . -, alphanumeric at both ends, not an IP address. */
export function assertValidBucketName(name: string): void {
  const valid =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !name.includes('.-') &&
    !name.includes('-.') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    name !== 'minio'; // reserved, as in MinIO: /minio/admin/… is the admin API
  if (!valid) throw S3Errors.InvalidBucketName(undefined, name, { BucketName: name });
}

/** Keys are at most 1024 bytes of UTF-8 without NUL; they are never used as file paths. */
export function assertValidKey(key: string): void {
  if (key === '') throw S3Errors.InvalidArgument('Object key must not be empty.');
  if (Buffer.byteLength(key) > 1024) throw S3Errors.KeyTooLongError();
  if (key.includes('\0') || key.includes('\uFFFD')) throw S3Errors.InvalidObjectName();
}
