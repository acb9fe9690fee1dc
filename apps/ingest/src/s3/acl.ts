// Get/Put Bucket and Object ACL, as MinIO answers them: there are no ACLs here
// (access is the root credentials'), so every bucket and object reads as its
// owner's FULL_CONTROL, and a PUT is accepted when it asks for exactly that —
// the `private` canned ACL, or a policy granting only the owner FULL_CONTROL —
// and answered NotImplemented otherwise, never silently ignored.
import { headerValue, parseXml, renderXml, S3Errors } from '@bucket-events/s3-protocol';
import { readSmallBody } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { sendEmpty, sendXml } from '../http/respond.ts';
import { requireBucket } from './buckets.ts';
import { requireObject } from './versioning.ts';

/** A bucket's ACL needs the bucket, an object's the object. */
function requireTarget(context: S3Context): void {
  if (context.key === '') requireBucket(context);
  else requireObject(context);
}

export async function getAcl(context: S3Context): Promise<void> {
  requireTarget(context);
  const owner = { ID: context.principal, DisplayName: context.principal };
  const xml = renderXml('AccessControlPolicy', {
    Owner: owner,
    AccessControlList: {
      Grant: [
        {
          Grantee: {
            '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
            '@_xsi:type': 'CanonicalUser',
            ...owner,
          },
          Permission: 'FULL_CONTROL',
        },
      ],
    },
  });
  sendXml(context.res, 200, xml);
}

export async function putAcl(context: S3Context): Promise<void> {
  requireTarget(context);
  const canned = headerValue(context.req.headers, 'x-amz-acl');
  if (Object.keys(context.req.headers).some((name) => name.startsWith('x-amz-grant-')))
    throw S3Errors.NotImplemented('Only the owner has access here: x-amz-grant-* headers are not supported.');
  if (canned !== undefined) {
    if (canned !== 'private')
      throw S3Errors.NotImplemented(`Only the private canned ACL is supported, not "${canned}".`);
    sendEmpty(context.res, 200);
    return;
  }
  const body = await readSmallBody(context, context.deps.limits.maxXmlBodyBytes);
  if (!ownerOnly(body))
    throw S3Errors.NotImplemented('Only an ACL granting its owner FULL_CONTROL is supported.');
  sendEmpty(context.res, 200);
}

/** The policy grants FULL_CONTROL to one grantee and nothing else (the owner is the only user here). */
function ownerOnly(body: string): boolean {
  const policy = parseXml(body).AccessControlPolicy as Record<string, unknown> | undefined;
  const list = policy?.AccessControlList as { Grant?: unknown } | undefined;
  const grants = list?.Grant === undefined ? [] : Array.isArray(list.Grant) ? list.Grant : [list.Grant];
  return (
    grants.length === 1 && (grants[0] as { Permission?: unknown } | undefined)?.Permission === 'FULL_CONTROL'
  );
}
