// Object lock, as S3 and MinIO serve it. A bucket created with
// `x-amz-bucket-object-lock-enabled: true` is versioned for good and may carry a
// default retention; each object version may have a retention (GOVERNANCE or
// COMPLIANCE until a date) and a legal hold, and while either holds the version
// cannot be deleted for good (a DELETE without a version id still adds a delete
// marker). Each change is an event: `s3:ObjectCreated:PutRetention` or
// `s3:ObjectCreated:PutLegalHold`, MinIO's names. On a bucket without object
// lock the requests get S3's answers for such a bucket (404, 409, 400).
import { child, childText, headerValue, parseXml, renderXml, S3Errors } from '@bucket-events/s3-protocol';
import { readSmallBody } from '../http/body.ts';
import type { S3Context, S3Handler } from '../http/context.ts';
import { isoDate, sendEmpty, sendXml } from '../http/respond.ts';
import type {
  BucketRow,
  ObjectLock,
  ObjectLockConfig,
  ObjectMeta,
  RetentionMode,
} from '../storage/metadata.ts';
import { requireBucket } from './buckets.ts';
import { commitObjectChange } from './mutation.ts';
import { requestedVersionId, requireObject, versionHeader } from './versioning.ts';

const DAY_MS = 86_400_000;
const MODES: readonly string[] = ['GOVERNANCE', 'COMPLIANCE'];

function missingLockConfiguration() {
  return S3Errors.InvalidRequest('Bucket is missing Object Lock Configuration');
}

/** The bucket, which must have object lock (else 400, as S3 answers retention and legal hold requests). */
function requireLockedBucket(context: S3Context): BucketRow & { objectLock: ObjectLockConfig } {
  const bucket = requireBucket(context);
  if (!bucket.objectLock) throw missingLockConfiguration();
  return bucket as BucketRow & { objectLock: ObjectLockConfig };
}

export const getObjectLockConfiguration: S3Handler = async (context) => {
  const bucket = requireBucket(context);
  if (!bucket.objectLock) throw S3Errors.ObjectLockConfigurationNotFoundError();
  const rule = bucket.objectLock.rule;
  sendXml(
    context.res,
    200,
    renderXml('ObjectLockConfiguration', {
      ObjectLockEnabled: 'Enabled',
      Rule: rule ? { DefaultRetention: { Mode: rule.mode, Days: rule.days, Years: rule.years } } : undefined,
    }),
  );
};

export const putObjectLockConfiguration: S3Handler = async (context) => {
  const bucket = requireBucket(context);
  if (!bucket.objectLock)
    throw S3Errors.InvalidBucketState('Object Lock configuration cannot be enabled on existing buckets');
  const root = parseXml(
    await readSmallBody(context, context.deps.limits.maxXmlBodyBytes),
  ).ObjectLockConfiguration;
  if (root === undefined || childText(root, 'ObjectLockEnabled') !== 'Enabled') throw S3Errors.MalformedXML();
  const rule = child(root, 'Rule');
  const config: ObjectLockConfig = {};
  if (rule !== undefined) {
    const defaults = child(rule, 'DefaultRetention');
    const mode = childText(defaults, 'Mode');
    const days = childText(defaults, 'Days');
    const years = childText(defaults, 'Years');
    if (mode === undefined || !MODES.includes(mode) || (days === undefined) === (years === undefined))
      throw S3Errors.MalformedXML();
    const period = Number(days ?? years);
    if (!Number.isInteger(period) || period <= 0)
      throw S3Errors.InvalidArgument('Default retention period must be a positive integer value.');
    config.rule = {
      mode: mode as RetentionMode,
      ...(days !== undefined ? { days: period } : { years: period }),
    };
  }
  context.deps.store.setObjectLockConfig(context.bucket, config);
  sendEmpty(context.res, 200);
};

/**
 * The lock a new version gets: from the `x-amz-object-lock-*` headers, else the bucket's default
 * retention; undefined in a bucket without object lock (where those headers are refused).
 */
export function lockForNewVersion(context: S3Context, bucket: BucketRow, now: Date): ObjectLock | undefined {
  const headers = context.req.headers;
  const mode = headerValue(headers, 'x-amz-object-lock-mode');
  const until = headerValue(headers, 'x-amz-object-lock-retain-until-date');
  const legalHold = headerValue(headers, 'x-amz-object-lock-legal-hold');
  if (!bucket.objectLock) {
    if (mode !== undefined || until !== undefined || legalHold !== undefined)
      throw missingLockConfiguration();
    return undefined;
  }
  const lock: ObjectLock = {};
  if ((mode === undefined) !== (until === undefined))
    throw S3Errors.InvalidArgument(
      'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
    );
  if (mode !== undefined && until !== undefined) {
    if (!MODES.includes(mode)) throw S3Errors.InvalidArgument('Unknown wormMode directive.');
    lock.mode = mode as RetentionMode;
    lock.retainUntil = futureDate(until, now);
  } else if (bucket.objectLock.rule) {
    const { mode: defaultMode, days, years } = bucket.objectLock.rule;
    lock.mode = defaultMode;
    lock.retainUntil = new Date(now.getTime() + (days ?? (years ?? 0) * 365) * DAY_MS).toISOString();
  }
  if (legalHold !== undefined) lock.legalHold = legalHoldStatus(legalHold);
  return lock;
}

function futureDate(text: string, now: Date): string {
  const time = Date.parse(text);
  if (Number.isNaN(time) || time <= now.getTime())
    throw S3Errors.InvalidArgument('The retain until date must be in the future!');
  return new Date(time).toISOString();
}

function legalHoldStatus(value: string | undefined): 'ON' | 'OFF' {
  if (value !== 'ON' && value !== 'OFF') throw S3Errors.MalformedXML();
  return value;
}

/** `x-amz-object-lock-*` on GET and HEAD answers. */
export function lockHeaders(meta: ObjectMeta): Record<string, string> {
  const lock = meta.lock ?? {};
  return {
    ...(lock.mode ? { 'x-amz-object-lock-mode': lock.mode } : {}),
    ...(lock.retainUntil ? { 'x-amz-object-lock-retain-until-date': lock.retainUntil } : {}),
    ...(lock.legalHold ? { 'x-amz-object-lock-legal-hold': lock.legalHold } : {}),
  };
}

function bypassesGovernance(context: S3Context): boolean {
  return headerValue(context.req.headers, 'x-amz-bypass-governance-retention')?.toLowerCase() === 'true';
}

function retentionActive(lock: ObjectLock, now: Date): boolean {
  return (
    lock.mode !== undefined && lock.retainUntil !== undefined && Date.parse(lock.retainUntil) > now.getTime()
  );
}

/** For a DELETE of one version: refuses (403) while a legal hold or a retention holds it. */
export function deletionGuard(context: S3Context): (version: ObjectMeta) => void {
  const now = new Date();
  return (version) => {
    const lock = version.lock ?? {};
    if (lock.legalHold === 'ON')
      throw S3Errors.AccessDenied('Object is WORM protected and cannot be overwritten');
    if (!retentionActive(lock, now)) return;
    if (lock.mode === 'GOVERNANCE' && bypassesGovernance(context)) return;
    throw S3Errors.AccessDenied('Object is WORM protected and cannot be overwritten');
  };
}

/** The retention a PUT ?retention asks for: a mode and date, or none (an empty `<Retention/>`). */
async function requestedRetention(context: S3Context, now: Date): Promise<ObjectLock> {
  const root = parseXml(await readSmallBody(context, context.deps.limits.maxXmlBodyBytes)).Retention;
  if (root === undefined) throw S3Errors.MalformedXML();
  const mode = childText(root, 'Mode');
  const until = childText(root, 'RetainUntilDate');
  if (mode === undefined && until === undefined) return {};
  if (mode === undefined || until === undefined || !MODES.includes(mode)) throw S3Errors.MalformedXML();
  return { mode: mode as RetentionMode, retainUntil: futureDate(until, now) };
}

/**
 * Whether a version's retention may become `next`: while COMPLIANCE holds only a later date in
 * the same mode; while GOVERNANCE holds a later date, in either mode, or anything with the bypass.
 */
function checkRetentionChange(context: S3Context, current: ObjectLock, next: ObjectLock, now: Date) {
  if (!retentionActive(current, now)) return;
  if (current.mode === 'GOVERNANCE' && bypassesGovernance(context)) return;
  const later =
    next.retainUntil !== undefined &&
    Date.parse(next.retainUntil) >= Date.parse(current.retainUntil as string);
  const allowed = current.mode === 'COMPLIANCE' ? later && next.mode === 'COMPLIANCE' : later;
  if (!allowed) throw S3Errors.AccessDenied('Object is WORM protected and cannot be overwritten');
}

/** Commits a lock change of the request's object (or version) with its event. */
function commitLock(
  context: S3Context,
  eventName: 's3:ObjectCreated:PutRetention' | 's3:ObjectCreated:PutLegalHold',
  update: (current: ObjectLock) => ObjectLock,
): void {
  commitObjectChange(
    context,
    requestedVersionId(context),
    'lock',
    (object) => update(object.lock ?? {}),
    eventName,
  );
}

function noLockConfiguration() {
  return S3Errors.NoSuchObjectLockConfiguration();
}

export const getObjectRetention: S3Handler = async (context) => {
  requireLockedBucket(context);
  const { object: meta } = requireObject(context);
  const lock = meta.lock ?? {};
  if (!lock.mode || !lock.retainUntil) throw noLockConfiguration();
  sendXml(
    context.res,
    200,
    renderXml('Retention', { Mode: lock.mode, RetainUntilDate: isoDate(lock.retainUntil) }),
  );
};

export const putObjectRetention: S3Handler = async (context) => {
  const bucket = requireLockedBucket(context);
  const { object: meta } = requireObject(context);
  const now = new Date();
  const next = await requestedRetention(context, now);
  commitLock(context, 's3:ObjectCreated:PutRetention', (current) => {
    checkRetentionChange(context, current, next, now);
    const { mode: _mode, retainUntil: _until, ...rest } = current;
    return { ...rest, ...next };
  });
  sendEmpty(context.res, 200, versionHeader(bucket, meta.versionId));
};

export const getObjectLegalHold: S3Handler = async (context) => {
  requireLockedBucket(context);
  const { object: meta } = requireObject(context);
  if (!meta.lock?.legalHold) throw noLockConfiguration();
  sendXml(context.res, 200, renderXml('LegalHold', { Status: meta.lock.legalHold }));
};

export const putObjectLegalHold: S3Handler = async (context) => {
  const bucket = requireLockedBucket(context);
  const { object: meta } = requireObject(context);
  const root = parseXml(await readSmallBody(context, context.deps.limits.maxXmlBodyBytes)).LegalHold;
  if (root === undefined) throw S3Errors.MalformedXML();
  const status = legalHoldStatus(childText(root, 'Status'));
  commitLock(context, 's3:ObjectCreated:PutLegalHold', (current) => ({ ...current, legalHold: status }));
  sendEmpty(context.res, 200, versionHeader(bucket, meta.versionId));
};
