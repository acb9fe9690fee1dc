// Browser-based uploads (POST Object with a policy signed by the MinIO SDK's
// presignedPostPolicy, or a SigV2 form as s3-tests sends it): accepted within
// the policy, refused outside it with S3's codes, and evented as
// s3:ObjectCreated:Post.
import { createHmac } from 'node:crypto';
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { ACCESS_KEY, eventually, minioClient, SECRET_KEY, startTestIngest } from '../test/harness.ts';

describe('POST Object', () => {
  test('uploads within a presigned POST policy and refuses what the policy does not allow', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const mc = minioClient(t.endpoint);
      await mc.makeBucket('uploads', 'us-east-1');
      const policy = mc.newPostPolicy();
      policy.setBucket('uploads');
      policy.setKeyStartsWith('user/');
      policy.setExpires(new Date(Date.now() + 60_000));
      policy.setContentLengthRange(1, 1024);
      policy.setContentType('image/jpeg');
      const { postURL, formData } = await mc.presignedPostPolicy(policy);

      const post = async (key: string, body: string, extra: Record<string, string> = {}) => {
        const form = new FormData();
        for (const [name, value] of Object.entries({ ...formData, key, ...extra })) form.append(name, value);
        form.append('file', new Blob([body], { type: 'image/jpeg' }), 'photo.jpg');
        return fetch(postURL, { method: 'POST', body: form });
      };

      // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own ${filename} placeholder, sent literally
      const ok = await post('user/${filename}', 'jpeg bytes', { success_action_status: '201' });
      expect([ok.status, ok.status === 201 ? '' : await ok.text()]).toEqual([201, '']);
      expect(await ok.text()).toContain('<Key>user/photo.jpg</Key>');
      const stat = await mc.statObject('uploads', 'user/photo.jpg');
      expect(stat.size).toBe(10);
      expect(stat.metaData['content-type']).toBe('image/jpeg');

      const outside = await post('admin/x.jpg', 'jpeg bytes');
      expect(outside.status).toBe(403);
      expect(await outside.text()).toContain('<Code>AccessDenied</Code>');
      const tooBig = await post('user/big.jpg', 'x'.repeat(2000));
      expect(tooBig.status).toBe(400);
      expect(await tooBig.text()).toContain('<Code>EntityTooLarge</Code>');
      const forged = await post('user/forged.jpg', 'jpeg bytes', { 'x-amz-signature': '0'.repeat(64) });
      expect(forged.status).toBe(403);
      expect(await forged.text()).toContain('<Code>SignatureDoesNotMatch</Code>');

      const records = await eventually(async () => {
        const all = await t.mutationRecords();
        return all.length > 0 ? all : undefined;
      });
      expect(records.map((r) => [r.eventName, r.key, r.size, r.contentType])).toEqual([
        ['s3:ObjectCreated:Post', 'user/photo.jpg', 10, 'image/jpeg'],
      ]);
    } finally {
      await t.stop();
    }
  });

  test('takes a SigV2 form as s3-tests sends it: 204, case-insensitive names; 400 for a malformed policy, 403 for a bad key', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const mc = minioClient(t.endpoint);
      await mc.makeBucket('forms', 'us-east-1');
      const url = `${t.endpoint}/forms`;
      const post = async (document: object, fields: Record<string, string>, accessKey = ACCESS_KEY) => {
        const policy = Buffer.from(JSON.stringify(document)).toString('base64');
        const form = new FormData();
        const signature = createHmac('sha1', SECRET_KEY).update(policy).digest('base64');
        for (const [name, value] of Object.entries({
          AWSAccessKeyId: accessKey,
          signature,
          pOLICy: policy,
          ...fields,
        }))
          form.append(name, value);
        form.append('file', new Blob(['bar'], { type: 'text/plain' }), 'foo.txt');
        const answer = await fetch(url, { method: 'POST', body: form });
        return { status: answer.status, body: await answer.text() };
      };
      const expiration = new Date(Date.now() + 600_000).toISOString();
      const conditions = [
        { bUcKeT: 'forms' },
        ['StArTs-WiTh', '$KeY', 'foo'],
        { AcL: 'private' },
        ['starts-with', '$Content-Type', 'text/plain'],
        ['content-length-range', 0, 1024],
      ];
      const fields = { kEy: 'foo.txt', aCl: 'private', 'Content-Type': 'text/plain' };

      expect(await post({ expiration, conditions }, fields)).toEqual({ status: 204, body: '' });
      const stored = await mc.getObject('forms', 'foo.txt');
      expect((await stored.toArray()).join('')).toBe('bar');

      const noExpiration = await post({ conditions }, fields);
      expect(noExpiration.status).toBe(400);
      expect(noExpiration.body).toContain('<Code>InvalidPolicyDocument</Code>');
      expect((await post({ expiration }, fields)).status).toBe(400);
      const badKey = await post({ expiration, conditions }, fields, 'NOSUCHKEY');
      expect(badKey.status).toBe(403);
      expect(badKey.body).toContain('<Code>InvalidAccessKeyId</Code>');
      const expired = await post(
        { expiration: new Date(Date.now() - 600_000).toISOString(), conditions },
        fields,
      );
      expect(expired.status).toBe(403);
      expect(expired.body).toContain('<Code>AccessDenied</Code>');
    } finally {
      await t.stop();
    }
  });
});
