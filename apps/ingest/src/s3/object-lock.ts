// Object lock is not implemented, and no bucket here has it: so its requests get
// the answers S3 and MinIO give on a bucket created without object lock (a 404
// for its configuration, 409 to turn it on, 400 for an object's retention or
// legal hold) instead of a blanket NotImplemented that clients cannot tell from
// a broken server. (CreateBucket refuses a request for it: buckets.ts.)
import { S3Errors } from '@bucket-events/s3-protocol';
import type { S3Handler } from '../http/context.ts';
import { requireBucket } from './buckets.ts';

export const getObjectLockConfiguration: S3Handler = async (context) => {
  requireBucket(context);
  throw S3Errors.ObjectLockConfigurationNotFoundError();
};

export const putObjectLockConfiguration: S3Handler = async (context) => {
  requireBucket(context);
  throw S3Errors.InvalidBucketState('Object Lock configuration cannot be enabled on existing buckets');
};

/** GET or PUT ?retention / ?legal-hold on an object. */
export const objectLockOfObject: S3Handler = async (context) => {
  requireBucket(context);
  throw S3Errors.InvalidRequest('Bucket is missing Object Lock Configuration');
};
