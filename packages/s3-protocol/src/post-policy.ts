// Browser-based uploads (POST Object with a form): the policy document's SigV4
// signature and its conditions, checked against the submitted form fields.
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

export function verifyPostPolicy(check: PostPolicyCheck): VerifiedPostPolicy {
  const { fields } = check;
  const policyBase64 = fields.get('policy');
  if (policyBase64 === undefined) throw S3Errors.AccessDenied('Anonymous POST uploads are not allowed.');
  if (fields.get('x-amz-algorithm') !== ALGORITHM) {
    throw S3Errors.InvalidArgument('Only AWS4-HMAC-SHA256 POST policies are supported.');
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

  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyBase64, 'base64').toString('utf8'));
  } catch {
    throw S3Errors.MalformedXML('The POST policy is not valid JSON.');
  }
  const expiration = typeof policy.expiration === 'string' ? Date.parse(policy.expiration) : Number.NaN;
  if (Number.isNaN(expiration))
    throw S3Errors.AccessDenied('Invalid according to Policy: Policy expiration missing or invalid');
  if ((check.now ?? new Date()).getTime() > expiration)
    throw S3Errors.AccessDenied('Invalid according to Policy: Policy expired.');
  if (!Array.isArray(policy.conditions))
    throw S3Errors.AccessDenied('Invalid according to Policy: no conditions');

  const values = new Map(fields);
  values.set('bucket', check.bucket);
  values.set('key', check.key);
  const covered = new Set<string>();
  let contentLengthRange: VerifiedPostPolicy['contentLengthRange'];
  const fail = (what: string) =>
    S3Errors.AccessDenied(`Invalid according to Policy: Policy Condition failed: ${what}`);
  for (const condition of policy.conditions as unknown[]) {
    if (Array.isArray(condition)) {
      const [operator, field, value] = condition as [string, string, string | number];
      if (String(operator).toLowerCase() === 'content-length-range') {
        contentLengthRange = { min: Number(field), max: Number(value) };
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
  for (const name of fields.keys()) {
    if (EXEMPT.has(name) || name.startsWith('x-ignore-') || covered.has(name)) continue;
    if (['x-amz-algorithm', 'x-amz-credential', 'x-amz-date'].includes(name)) continue;
    throw S3Errors.AccessDenied(`Invalid according to Policy: Extra input fields: ${name}`);
  }
  return { accessKeyId, contentLengthRange };
}
