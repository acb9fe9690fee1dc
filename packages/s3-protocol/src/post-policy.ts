// Browser-based uploads (POST Object with a form): the policy document's
// signature — SigV4 (x-amz-credential, x-amz-signature) or SigV2 (AWSAccessKeyId,
// signature: base64 HMAC-SHA1 of the policy), as S3 and MinIO take both — and
// its conditions, checked against the submitted form fields. A policy that is not
// well formed is a 400 (InvalidPolicyDocument); one whose conditions fail or that
// has expired, a 403 (AccessDenied), as S3 answers them.
import { createHmac } from 'node:crypto';
import { S3Errors } from './errors.ts';
import { ALGORITHM, parseAmzDate, type SecretLookup, sameSignature, signString } from './sigv4.ts';

export interface PostPolicyCheck {
  /** Form fields before the file, names lower-cased. */
  fields: Map<string, string>;
  bucket: string;
  /** The object key after `${filename}` substitution. */
  key: string;
  region: string;
  lookupSecret: SecretLookup;
  now?: Date;
}

export interface VerifiedPostPolicy {
  accessKeyId: string;
  /** From a `content-length-range` condition, when the policy has one. */
  contentLengthRange?: { min: number; max: number };
}

/** Fields that the policy need not mention (success_action_* only shape the answer, as MinIO allows). */
const EXEMPT = new Set([
  'policy',
  'x-amz-signature',
  'file',
  'bucket',
  'awsaccesskeyid',
  'signature',
  'success_action_status',
  'success_action_redirect',
]);

/** Who signed the policy, checked against their secret: SigV4 or SigV2 fields. */
function verifySignature(check: PostPolicyCheck, policyBase64: string): string {
  const { fields } = check;
  const v2AccessKey = fields.get('awsaccesskeyid');
  if (v2AccessKey !== undefined && !fields.has('x-amz-algorithm')) {
    const signature = fields.get('signature');
    if (signature === undefined)
      throw S3Errors.InvalidArgument("Bucket POST must contain a field named 'signature'.");
    const secret = check.lookupSecret(v2AccessKey);
    if (secret === undefined) throw S3Errors.InvalidAccessKeyId();
    const expected = createHmac('sha1', secret).update(policyBase64).digest('base64');
    if (!sameSignature(expected, signature)) throw S3Errors.SignatureDoesNotMatch();
    return v2AccessKey;
  }
  if (fields.get('x-amz-algorithm') !== ALGORITHM) {
    throw S3Errors.InvalidArgument('Only AWS4-HMAC-SHA256 and SigV2 POST policies are supported.');
  }
  const credential = (fields.get('x-amz-credential') ?? '').split('/');
  const amzDate = fields.get('x-amz-date') ?? '';
  const signature = fields.get('x-amz-signature') ?? '';
  if (
    credential.length !== 5 ||
    credential[4] !== 'aws4_request' ||
    credential[3] !== 's3' ||
    !parseAmzDate(amzDate)
  ) {
    throw S3Errors.AuthorizationQueryParametersError('Error parsing the X-Amz-Credential parameter.');
  }
  const [accessKeyId, date, region] = credential as [string, string, string];
  if (region !== check.region)
    throw S3Errors.AuthorizationQueryParametersError(
      `the region '${region}' is wrong; expecting '${check.region}'`,
    );
  const secret = check.lookupSecret(accessKeyId);
  if (secret === undefined) throw S3Errors.InvalidAccessKeyId();
  const expected = signString(secret, `${date}/${region}/s3/aws4_request`, policyBase64);
  if (!sameSignature(expected, signature)) throw S3Errors.SignatureDoesNotMatch();
  return accessKeyId;
}

/** The policy's expiration (ISO 8601 with a `T`) and its non-empty conditions, or a 400. */
function parsePolicy(policyBase64: string): { expiration: number; conditions: unknown[] } {
  const invalid = (why: string) => S3Errors.InvalidPolicyDocument(`Invalid Policy: ${why}`);
  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyBase64, 'base64').toString('utf8'));
  } catch {
    throw invalid('the policy is not valid JSON.');
  }
  // Keys are case-sensitive: "EXPIRATION" is no expiration.
  const { expiration, conditions } = policy;
  if (
    typeof expiration !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T/.test(expiration) ||
    Number.isNaN(Date.parse(expiration))
  )
    throw invalid("Invalid 'expiration' value.");
  if (!Array.isArray(conditions) || conditions.length === 0) throw invalid('no conditions.');
  return { expiration: Date.parse(expiration), conditions };
}

export function verifyPostPolicy(check: PostPolicyCheck): VerifiedPostPolicy {
  const { fields } = check;
  const policyBase64 = fields.get('policy');
  if (policyBase64 === undefined) throw S3Errors.AccessDenied('Anonymous POST uploads are not allowed.');
  const accessKeyId = verifySignature(check, policyBase64);
  const policy = parsePolicy(policyBase64);
  if ((check.now ?? new Date()).getTime() > policy.expiration)
    throw S3Errors.AccessDenied('Invalid according to Policy: Policy expired.');

  const values = new Map(fields);
  values.set('bucket', check.bucket);
  values.set('key', check.key);
  const covered = new Set<string>();
  let contentLengthRange: VerifiedPostPolicy['contentLengthRange'];
  const fail = (what: string) =>
    S3Errors.AccessDenied(`Invalid according to Policy: Policy Condition failed: ${what}`);
  for (const condition of policy.conditions) {
    if (Array.isArray(condition)) {
      const [operator, field, value] = condition as [string, string, string | number];
      if (String(operator).toLowerCase() === 'content-length-range') {
        const [min, max] = [Number(field), Number(value)];
        if (
          condition.length !== 3 ||
          !Number.isInteger(min) ||
          !Number.isInteger(max) ||
          min < 0 ||
          max < min
        )
          throw S3Errors.InvalidPolicyDocument('Invalid Policy: Invalid content-length-range.');
        contentLengthRange = { min, max };
        continue;
      }
      const name = String(field).replace(/^\$/, '').toLowerCase();
      covered.add(name);
      const actual = values.get(name) ?? '';
      const op = String(operator).toLowerCase();
      if (op === 'eq' && actual !== String(value)) throw fail(`["eq", "$${name}", "${value}"]`);
      if (op === 'starts-with' && !actual.startsWith(String(value)))
        throw fail(`["starts-with", "$${name}", "${value}"]`);
      if (op !== 'eq' && op !== 'starts-with') throw fail(`unknown operator ${operator}`);
    } else if (condition && typeof condition === 'object') {
      for (const [field, value] of Object.entries(condition)) {
        const name = field.toLowerCase();
        covered.add(name);
        if ((values.get(name) ?? '') !== String(value)) throw fail(`["eq", "$${name}", "${value}"]`);
      }
    }
  }
  // The policy must name the bucket it is for (s3-tests and MinIO refuse one that does not).
  if (!covered.has('bucket')) throw fail('the policy names no bucket');
  for (const name of fields.keys()) {
    if (EXEMPT.has(name) || name.startsWith('x-ignore-') || covered.has(name)) continue;
    if (['x-amz-algorithm', 'x-amz-credential', 'x-amz-date'].includes(name)) continue;
    throw S3Errors.AccessDenied(`Invalid according to Policy: Extra input fields: ${name}`);
  }
  return { accessKeyId, contentLengthRange };
}
