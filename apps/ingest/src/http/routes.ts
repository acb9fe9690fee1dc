// Which S3 operation a request is: method, bucket/key presence and the
// sub-resource in the query, as S3 dispatches them.
import { S3Errors } from '@bucket-events/s3-protocol';
import { ADMIN_BUCKET, ADMIN_KEY_PREFIX, adminRequest } from '../admin/admin-api.ts';
import { getAcl, putAcl } from '../s3/acl.ts';
import * as buckets from '../s3/buckets.ts';
import { copyObject } from '../s3/copy-object.ts';
import { deleteObject, deleteObjects } from '../s3/delete-object.ts';
import { getObject, headObject } from '../s3/get-object.ts';
import { listObjectsV1, listObjectsV2, listObjectVersions } from '../s3/list-objects.ts';
import { listenNotification } from '../s3/listen.ts';
import * as multipart from '../s3/multipart.ts';
import { getBucketNotification, putBucketNotification } from '../s3/notification.ts';
import {
  getObjectLegalHold,
  getObjectLockConfiguration,
  getObjectRetention,
  putObjectLegalHold,
  putObjectLockConfiguration,
  putObjectRetention,
} from '../s3/object-lock.ts';
import { putObject } from '../s3/put-object.ts';
import {
  deleteBucketTagging,
  deleteObjectTagging,
  getBucketTagging,
  getObjectTagging,
  putBucketTagging,
  putObjectTagging,
} from '../s3/tagging.ts';
import { uploadPartCopy } from '../s3/upload-part-copy.ts';
import { getBucketVersioning, putBucketVersioning } from '../s3/versioning.ts';
import type { S3Handler } from './context.ts';

/** Bucket sub-resources we do not implement; answered with NotImplemented rather than misrouted. */
const UNSUPPORTED_BUCKET_SUBRESOURCES = [
  'analytics',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'lifecycle',
  'logging',
  'metrics',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'website',
  'accelerate',
];
const UNSUPPORTED_OBJECT_SUBRESOURCES = ['torrent', 'restore', 'select', 'attributes'];

export function resolveOperation(
  method: string,
  bucket: string,
  key: string,
  query: Map<string, string>,
  copySource: boolean,
): S3Handler {
  const has = (name: string) => query.has(name);
  if (bucket === ADMIN_BUCKET && key.startsWith(ADMIN_KEY_PREFIX)) return adminRequest;
  if (bucket === '') {
    if (method === 'GET' && has('events')) return listenNotification;
    if (method === 'GET') return buckets.listBuckets;
    throw S3Errors.MethodNotAllowed();
  }
  if (key === '') {
    if (has('events')) {
      if (method === 'GET') return listenNotification;
      throw S3Errors.MethodNotAllowed();
    }
    if (has('acl')) return byMethod(method, ACL);
    if (has('tagging'))
      return byMethod(method, { GET: getBucketTagging, PUT: putBucketTagging, DELETE: deleteBucketTagging });
    if (has('notification'))
      return byMethod(method, { GET: getBucketNotification, PUT: putBucketNotification });
    if (has('object-lock'))
      return byMethod(method, { GET: getObjectLockConfiguration, PUT: putObjectLockConfiguration });
    if (has('versioning')) return byMethod(method, { GET: getBucketVersioning, PUT: putBucketVersioning });
    const unsupported = UNSUPPORTED_BUCKET_SUBRESOURCES.find(has);
    if (unsupported)
      throw S3Errors.NotImplemented(`The ${unsupported} sub-resource is not implemented by this server.`);
    switch (method) {
      case 'PUT':
        return buckets.createBucket;
      case 'HEAD':
        return buckets.headBucket;
      case 'DELETE':
        return buckets.deleteBucket;
      case 'POST':
        if (has('delete')) return deleteObjects;
        throw S3Errors.MethodNotAllowed();
      case 'GET':
        if (has('location')) return buckets.getBucketLocation;
        if (has('versions')) return listObjectVersions;
        if (has('uploads')) return multipart.listMultipartUploads;
        if (query.get('list-type') === '2') return listObjectsV2;
        return listObjectsV1;
      default:
        throw S3Errors.MethodNotAllowed();
    }
  }
  if (has('acl')) return byMethod(method, ACL);
  if (has('tagging'))
    return byMethod(method, { GET: getObjectTagging, PUT: putObjectTagging, DELETE: deleteObjectTagging });
  if (has('retention')) return byMethod(method, { GET: getObjectRetention, PUT: putObjectRetention });
  if (has('legal-hold')) return byMethod(method, { GET: getObjectLegalHold, PUT: putObjectLegalHold });
  const unsupported = UNSUPPORTED_OBJECT_SUBRESOURCES.find(has);
  if (unsupported)
    throw S3Errors.NotImplemented(`The ${unsupported} sub-resource is not implemented by this server.`);
  switch (method) {
    case 'PUT':
      if (has('uploadId') && has('partNumber')) return copySource ? uploadPartCopy : multipart.uploadPart;
      return copySource ? copyObject : putObject;
    case 'GET':
      return has('uploadId') ? multipart.listParts : getObject;
    case 'HEAD':
      return headObject;
    case 'DELETE':
      return has('uploadId') ? multipart.abortMultipartUpload : deleteObject;
    case 'POST':
      if (has('uploads')) return multipart.createMultipartUpload;
      if (has('uploadId')) return multipart.completeMultipartUpload;
      throw S3Errors.MethodNotAllowed();
    default:
      throw S3Errors.MethodNotAllowed();
  }
}

/** ?acl on a bucket or an object: the owner's FULL_CONTROL (s3/acl.ts). */
const ACL = { GET: getAcl, PUT: putAcl };

/** A sub-resource's handler for the request's method; any other method is MethodNotAllowed. */
function byMethod(method: string, handlers: Partial<Record<string, S3Handler>>): S3Handler {
  const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
  if (!handler) throw S3Errors.MethodNotAllowed();
  return handler;
}
