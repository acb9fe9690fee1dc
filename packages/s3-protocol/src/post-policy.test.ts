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
    ['an expired policy', form(policy([], '2026-11-25T11:00:00Z')), 'AccessDenied', /expired/],
    [
      'a failed starts-with',
      form(policy([['starts-with', '$key', 'admin/']])),
      'AccessDenied',
      /Condition failed/,
    ],
    ['a wrong bucket', form(policy([{ bucket: 'other' }])), 'AccessDenied', /Condition failed/],
    [
      'an extra field',
      form(policy([]), { 'x-amz-meta-a': '1' }),
      'AccessDenied',
      /Extra input fields: x-amz-meta-a/,
    ],
    ['a wrong secret', form(policy([]), {}, 'other'), 'SignatureDoesNotMatch', /signature/],
  ])('refuses %s', (_, fields, code, message) => {
    expect(() => check(fields)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });
});
