// The AWS CLI v2 (Debian's /usr/bin/aws, installed by infra/local/tools) against
// the real server: it sends Content-MD5, Expect: 100-continue and the S3
// namespace in notification XML, and reads our answers back.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isCi, test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { ACCESS_KEY, eventually, SECRET_KEY, startTestIngest } from '../test/harness.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';

/** An AWS CLI v2 bound to a test server, with its own empty HOME and config. */
function awsCli(endpoint: string) {
  const dir = mkdtempSync(join(tmpdir(), 'awscli-'));
  writeFileSync(
    join(dir, 'config'),
    '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n  signature_version = s3v4\n',
  );
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_DEFAULT_REGION: 'us-east-1',
  };
  const aws = async (...args: string[]) =>
    (await run(AWS, ['--endpoint-url', endpoint, ...args], { env })).stdout;
  return { dir, env, aws };
}

function requireCli(skip: (note: string) => void) {
  if (existsSync(AWS)) return;
  if (isCi()) throw new Error(`${AWS} is missing; run infra/local/tools`);
  skip('AWS CLI v2 not installed; run infra/local/tools');
}

describe('AWS CLI v2', () => {
  test('s3 cp / ls / rm and s3api notification configuration', async ({ redis, skip }) => {
    requireCli(skip);
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    const { dir, env, aws } = awsCli(t.endpoint);
    try {
      await aws('s3api', 'create-bucket', '--bucket', 'clibucket');
      const file = join(dir, 'photo.jpg');
      writeFileSync(file, 'jpeg bytes from the cli');
      await aws('s3', 'cp', file, 's3://clibucket/holiday photos/photo +1.jpg');
      const listing = await aws('s3', 'ls', 's3://clibucket/holiday photos/');
      expect(listing).toMatch(/\s23 photo \+1\.jpg/);
      await aws('s3', 'cp', 's3://clibucket/holiday photos/photo +1.jpg', join(dir, 'back.jpg'));

      writeFileSync(
        join(dir, 'notif.json'),
        JSON.stringify({
          QueueConfigurations: [
            {
              Id: 'cli',
              QueueArn: 'arn:minio:sqs::1:amqp',
              Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
              Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jpg' }] } },
            },
          ],
        }),
      );
      await aws(
        's3api',
        'put-bucket-notification-configuration',
        '--bucket',
        'clibucket',
        '--notification-configuration',
        `file://${join(dir, 'notif.json')}`,
      );
      const config = JSON.parse(
        await aws('s3api', 'get-bucket-notification-configuration', '--bucket', 'clibucket'),
      );
      expect(config.QueueConfigurations).toEqual([
        {
          Id: 'cli',
          QueueArn: 'arn:minio:sqs:us-east-1:1:amqp',
          Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
          Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jpg' }] } },
        },
      ]);
      const bad = await run(
        AWS,
        [
          '--endpoint-url',
          t.endpoint,
          's3api',
          'put-bucket-notification-configuration',
          '--bucket',
          'clibucket',
          '--notification-configuration',
          '{"QueueConfigurations":[{"QueueArn":"arn:minio:sqs::7:amqp","Events":["s3:ObjectCreated:*"]}]}',
        ],
        { env },
      ).catch((error: { stderr: string }) => error);
      expect((bad as { stderr: string }).stderr).toMatch(
        /InvalidArgument.*A specified destination ARN does not exist or is not well-formed/,
      );

      await aws('s3', 'rm', 's3://clibucket/holiday photos/photo +1.jpg');
      expect(await aws('s3', 'ls', 's3://clibucket/', '--recursive')).toBe('');
      const records = await eventually(async () => {
        const all = await t.mutationRecords();
        return all.length >= 2 ? all : undefined;
      });
      expect(records.map((r) => [r.eventName, r.key, r.configVersion])).toEqual([
        ['s3:ObjectCreated:Put', 'holiday photos/photo +1.jpg', 0],
        ['s3:ObjectRemoved:Delete', 'holiday photos/photo +1.jpg', records[1]?.configVersion],
      ]);
      expect(records[1]?.configVersion).toBeGreaterThan(0);
      expect(records[0]?.request.userAgent).toMatch(/^aws-cli\/2/);
    } finally {
      await t.stop();
    }
  }, 60_000);

  test('s3api versioning: enable, list versions and delete markers, get and delete by version', async ({
    redis,
    skip,
  }) => {
    requireCli(skip);
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    const { dir, aws } = awsCli(t.endpoint);
    const json = async (...args: string[]) => JSON.parse(await aws(...args));
    try {
      await aws('s3api', 'create-bucket', '--bucket', 'versions');
      await aws(
        's3api',
        'put-bucket-versioning',
        '--bucket',
        'versions',
        '--versioning-configuration',
        'Status=Enabled',
      );
      expect(await json('s3api', 'get-bucket-versioning', '--bucket', 'versions')).toEqual({
        Status: 'Enabled',
      });
      const file = join(dir, 'note.txt');
      const putNote = async (text: string) => {
        writeFileSync(file, text);
        return json('s3api', 'put-object', '--bucket', 'versions', '--key', 'note.txt', '--body', file);
      };
      const first = await putNote('first');
      const second = await putNote('second!');
      await aws('s3', 'rm', 's3://versions/note.txt');
      const listing = await json('s3api', 'list-object-versions', '--bucket', 'versions');
      expect(listing.Versions.map((v: { VersionId: string; Size: number }) => [v.VersionId, v.Size])).toEqual(
        [
          [second.VersionId, 7],
          [first.VersionId, 5],
        ],
      );
      expect(listing.DeleteMarkers).toHaveLength(1);
      expect(listing.DeleteMarkers[0].IsLatest).toBe(true);
      await aws(
        's3api',
        'get-object',
        '--bucket',
        'versions',
        '--key',
        'note.txt',
        '--version-id',
        first.VersionId,
        join(dir, 'first.txt'),
      );
      expect(readFileSync(join(dir, 'first.txt'), 'utf8')).toBe('first');
      await aws(
        's3api',
        'delete-object',
        '--bucket',
        'versions',
        '--key',
        'note.txt',
        '--version-id',
        listing.DeleteMarkers[0].VersionId,
      );
      await aws('s3', 'cp', 's3://versions/note.txt', join(dir, 'back.txt'));
      expect(readFileSync(join(dir, 'back.txt'), 'utf8')).toBe('second!');
    } finally {
      await t.stop();
    }
  }, 60_000);
});
