// Browser-based uploads (POST Object with a policy signed by the MinIO SDK's
// presignedPostPolicy): accepted within the policy, refused outside it, and
// evented as s3:ObjectCreated:Post.
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { eventually, minioClient, startTestIngest } from '../test/harness.ts';

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
});
