import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPostPolicy } from './post-policy.ts';
import { signString } from './sigv4.ts';

const secret = 'secret-key';
const now = new Date('2026-11-25T12:00:00Z');

function form(policy: object, extra: Record<string, string> = {}, signWith = secret) {
  const encoded = Buffer.from(JSON.stringify(policy)).toString('base64');
  const scope = '20261125/us-east-1/s3/aws4_request';
  return new Map(
    Object.entries({
      policy: encoded,
      'x-amz-algorithm': 'AWS4-HMAC-SHA256',
      'x-amz-credential': `AKID/${scope}`,
      'x-amz-date': '20261125T120000Z',
      'x-amz-signature': signString(signWith, scope, encoded),
      ...extra,
    }),
  );
}

const check = (fields: Map<string, string>, key = 'user/a.jpg') =>
  verifyPostPolicy({
    fields,
    bucket: 'b',
    key,
    region: 'us-east-1',
    lookupSecret: (id) => (id === 'AKID' ? secret : undefined),
    now,
  });

const policy = (conditions: unknown[], expiration = '2026-11-25T13:00:00Z') => ({ expiration, conditions });

describe('verifyPostPolicy', () => {
  it('accepts a policy whose conditions hold, returning the length range', () => {
    const result = check(
      form(policy([{ bucket: 'b' }, ['starts-with', '$key', 'user/'], ['content-length-range', 1, 10]])),
    );
    expect(result).toEqual({ accessKeyId: 'AKID', contentLengthRange: { min: 1, max: 10 } });
  });

  it.each([
    ['an expired policy', form(policy([{ bucket: 'b' }], '2026-11-25T11:00:00Z')), 'AccessDenied', /expired/],
    [
      'a failed starts-with',
      form(policy([['starts-with', '$key', 'admin/']])),
      'AccessDenied',
      /Condition failed/,
    ],
    ['a wrong bucket', form(policy([{ bucket: 'other' }])), 'AccessDenied', /Condition failed/],
    [
      'an extra field',
      form(policy([{ bucket: 'b' }]), { 'x-amz-meta-a': '1' }),
      'AccessDenied',
      /Extra input fields: x-amz-meta-a/,
    ],
    ['a wrong secret', form(policy([{ bucket: 'b' }]), {}, 'other'), 'SignatureDoesNotMatch', /signature/],
    // What s3-tests sends (and MinIO answers): a malformed policy is a 400, a failed one a 403.
    ['no expiration', form({ conditions: [{ bucket: 'b' }] }), 'InvalidPolicyDocument', /expiration/],
    [
      'an upper-case EXPIRATION (keys are case-sensitive)',
      form({ EXPIRATION: '2026-11-25T13:00:00Z', conditions: [{ bucket: 'b' }] }),
      'InvalidPolicyDocument',
      /expiration/,
    ],
    [
      'an expiration without its T',
      form(policy([{ bucket: 'b' }], '2026-11-25 13:00:00Z')),
      'InvalidPolicyDocument',
      /expiration/,
    ],
    ['no conditions', form({ expiration: '2026-11-25T13:00:00Z' }), 'InvalidPolicyDocument', /conditions/],
    ['empty conditions', form(policy([])), 'InvalidPolicyDocument', /conditions/],
    [
      'a content-length-range without its maximum',
      form(policy([{ bucket: 'b' }, ['content-length-range', 0]])),
      'InvalidPolicyDocument',
      /content-length-range/,
    ],
    [
      'a negative content-length-range',
      form(policy([{ bucket: 'b' }, ['content-length-range', -1, 0]])),
      'InvalidPolicyDocument',
      /content-length-range/,
    ],
    [
      'a policy that names no bucket',
      form(policy([['starts-with', '$key', 'user/']])),
      'AccessDenied',
      /names no bucket/,
    ],
  ])('refuses %s', (_, fields, code, message) => {
    expect(() => check(fields)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });

  describe('SigV2 forms (AWSAccessKeyId, signature), as s3-tests and older SDKs send them', () => {
    const v2 = (document: object, extra: Record<string, string> = {}, signWith = secret) => {
      const encoded = Buffer.from(JSON.stringify(document)).toString('base64');
      return new Map(
        Object.entries({
          policy: encoded,
          awsaccesskeyid: 'AKID',
          signature: createHmac('sha1', signWith).update(encoded).digest('base64'),
          ...extra,
        }),
      );
    };

    it('accepts a signed policy, condition names in any case', () => {
      const fields = v2(policy([{ bUcKeT: 'b' }, ['StArTs-WiTh', '$KeY', 'user/'], { AcL: 'private' }]), {
        acl: 'private',
      });
      expect(check(fields)).toEqual({ accessKeyId: 'AKID', contentLengthRange: undefined });
    });

    it.each([
      [
        'an unknown access key',
        v2(policy([{ bucket: 'b' }]), { awsaccesskeyid: 'NOPE' }),
        'InvalidAccessKeyId',
      ],
      ['a wrong signature', v2(policy([{ bucket: 'b' }]), {}, 'other'), 'SignatureDoesNotMatch'],
    ])('refuses %s with a 403', (_, fields, code) => {
      expect(() => check(fields)).toThrow(expect.objectContaining({ code, status: 403 }));
    });

    it('refuses a form without its signature with a 400', () => {
      const fields = v2(policy([{ bucket: 'b' }]));
      fields.delete('signature');
      expect(() => check(fields)).toThrow(expect.objectContaining({ code: 'InvalidArgument', status: 400 }));
    });
  });
});
