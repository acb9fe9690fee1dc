// The CLI as a user runs it (bin/bucket-events, a child process) against a
// real ingest and Redis: the seed's Step 2 verbatim, the object commands, JSON
// output, one-line errors with non-zero exits, and `watch` receiving an
// upload's event.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type RunningIngest, startIngest } from '@bucket-events/ingest';
import { buildConfig } from '@bucket-events/targets';
import { test } from '@bucket-events/testing';
import { pino } from 'pino';
import { afterEach, describe, expect } from 'vitest';

/** What the README gives users: the checkout's bin/bucket-events, wherever pnpm lives. */
const BIN = new URL('../../../bin/bucket-events', import.meta.url).pathname;
const run = promisify(execFile);

interface Cli {
  /** Runs one command; resolves with its output and exit code (never rejects on a non-zero exit). */
  (...args: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
  spawn(...args: string[]): ChildProcess;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A real ingest (the seed's six targets configured) and a CLI whose alias `myminio` points at it;
 * `restart` stops that ingest and starts it again on the same port and data.
 */
async function setup(redis: {
  url: string;
  prefix: string;
}): Promise<{ cli: Cli; ingest: RunningIngest; restart(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  const config = buildConfig(
    {
      notify: {
        amqp: { '1': { enable: true, url: 'amqp://127.0.0.1:5672', exchange: 'bucketevents' } },
        redis: { '1': { enable: true, address: '127.0.0.1:6379', key: 'bucketevents' } },
      },
    },
    {},
    'test',
  );
  const start = (port: number) =>
    startIngest({
      config,
      dataDir: join(dir, 'data'),
      redisUrl: redis.url,
      queuePrefix: redis.prefix.slice(0, -1),
      host: '127.0.0.1',
      port,
      fsync: false,
      log: pino({ level: 'silent' }),
    });
  let ingest = await start(0);
  cleanups.push(async () => {
    await ingest.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { ...process.env, BUCKET_EVENTS_CLI_CONFIG_DIR: join(dir, 'cli') };
  const cli = (async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(BIN, args, { env });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const failed = error as { stdout: string; stderr: string; code: number };
      return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
    }
  }) as Cli;
  cli.spawn = (...args) => spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  expect((await cli('alias', 'set', 'myminio', ingest.endpoint, 'minioadmin', 'minioadmin')).code).toBe(0);
  const restart = async () => {
    await ingest.close();
    ingest = await start(ingest.port);
  };
  return { cli, ingest, restart };
}

const words = (text: string) => text.trim().split(/\s+/);

/** Every key under ALIAS/BUCKET, as `ls -r --json` lists them. */
async function keysIn(cli: Cli, target: string): Promise<string[]> {
  const { stdout } = await cli('--json', 'ls', '-r', target);
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).key);
}

describe('bucket-events CLI', () => {
  test("the seed's Step 2, verbatim: mb, events add --suffix .jpg, events list", async ({ redis }) => {
    const { cli } = await setup(redis);
    expect(await cli('mb', 'myminio/images')).toMatchObject({
      code: 0,
      stdout: 'Bucket created successfully `myminio/images`.\n',
    });
    expect(
      await cli('events', 'add', 'myminio/images', 'arn:minio:sqs:us-east-1:1:amqp', '--suffix', '.jpg'),
    ).toMatchObject({
      code: 0,
      stdout: 'Successfully added arn:minio:sqs:us-east-1:1:amqp\n',
    });
    const listed = await cli('events', 'list', 'myminio/images');
    expect(listed.code).toBe(0);
    // The seed's line (its document collapses the column spacing).
    expect(words(listed.stdout)).toEqual(
      words('arn:minio:sqs:us-east-1:1:amqp s3:ObjectCreated:*,s3:ObjectRemoved:* Filter: suffix=".jpg"'),
    );
    const json = await cli('--json', 'events', 'list', 'myminio/images');
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'success',
      arn: 'arn:minio:sqs:us-east-1:1:amqp',
      event: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
      suffix: '.jpg',
    });
    // --ignore-existing: the same rule again changes nothing and succeeds.
    const again = await cli(
      'events',
      'add',
      'myminio/images',
      'arn:minio:sqs:us-east-1:1:amqp',
      '--suffix',
      '.jpg',
      '--ignore-existing',
    );
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('already configured') });
    expect((await cli('events', 'list', 'myminio/images')).stdout.trim().split('\n')).toHaveLength(1);
    // A second rule with a prefix, then removing one ARN, then everything.
    await cli(
      'events',
      'add',
      'myminio/images',
      'arn:minio:sqs:us-east-1:1:redis',
      '--event',
      'put',
      '--prefix',
      'photos/',
    );
    expect(
      (await cli('events', 'list', 'myminio/images', 'arn:minio:sqs:us-east-1:1:redis')).stdout,
    ).toContain('Filter: prefix="photos/"');
    expect((await cli('events', 'remove', 'myminio/images', 'arn:minio:sqs:us-east-1:1:amqp')).code).toBe(0);
    expect(words((await cli('events', 'list', 'myminio/images')).stdout)[0]).toBe(
      'arn:minio:sqs:us-east-1:1:redis',
    );
    expect((await cli('events', 'remove', 'myminio/images')).code).toBe(1); // no ARN, no --force
    expect((await cli('events', 'remove', 'myminio/images', '--force')).code).toBe(0);
    expect((await cli('events', 'list', 'myminio/images')).stdout).toBe('');
  }, 60_000);

  test('clear one-line errors and non-zero exits', async ({ redis }) => {
    const { cli } = await setup(redis);
    await cli('mb', 'myminio/images');
    const unknownArn = await cli('events', 'add', 'myminio/images', 'arn:minio:sqs:us-east-1:9:kafka');
    expect(unknownArn.code).toBe(1);
    expect(unknownArn.stderr).toBe(
      'bucket-events: <ERROR> InvalidArgument: A specified destination ARN does not exist or is not well-formed. Verify the destination ARN.\n',
    );
    const missing = await cli('ls', 'myminio/nothing');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/^bucket-events: <ERROR> NoSuchBucket: /);
    // Under --json the error is one JSON object, as mc writes it.
    const missingJson = await cli('--json', 'events', 'list', 'myminio/nope');
    expect(missingJson.code).toBe(1);
    expect(JSON.parse(missingJson.stderr)).toMatchObject({
      status: 'error',
      error: { message: expect.stringMatching(/^NoSuchBucket: /), type: 'error' },
    });
    expect((await cli('--version')).stdout).toMatch(/^bucket-events version \S+\n$/);
    expect((await cli('mb', 'nowhere/images')).stderr).toMatch(/does not start with a known alias/);
    expect(
      (await cli('events', 'add', 'myminio/images', 'arn:minio:sqs:us-east-1:1:amqp', '--event', 'push'))
        .stderr,
    ).toMatch(/invalid --event "push"/);
    expect((await cli('frobnicate')).code).not.toBe(0);
  }, 60_000);

  test("tag set, list and remove an object, with mc's words and output", async ({ redis }) => {
    const { cli } = await setup(redis);
    const dir = mkdtempSync(join(tmpdir(), 'cli-tags-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'photo.jpg'), 'jpeg');
    await cli('mb', 'myminio/tagged');
    await cli('cp', join(dir, 'photo.jpg'), 'myminio/tagged/photo.jpg');
    expect((await cli('tag', 'set', 'myminio/tagged/photo.jpg', 'team=red&stage=raw')).stdout).toBe(
      'Tags set for myminio/tagged/photo.jpg.\n',
    );
    expect((await cli('tag', 'list', 'myminio/tagged/photo.jpg')).stdout).toBe(
      'Name  : myminio/tagged/photo.jpg\nteam  : red\nstage : raw\n',
    );
    expect(JSON.parse((await cli('--json', 'tag', 'list', 'myminio/tagged/photo.jpg')).stdout)).toMatchObject(
      {
        status: 'success',
        tags: { team: 'red', stage: 'raw' },
      },
    );
    expect((await cli('tag', 'remove', 'myminio/tagged/photo.jpg')).stdout).toBe(
      'Tags removed for myminio/tagged/photo.jpg.\n',
    );
    expect(JSON.parse((await cli('--json', 'tag', 'list', 'myminio/tagged/photo.jpg')).stdout).tags).toEqual(
      {},
    );
    const missing = await cli('tag', 'list', 'myminio/tagged/nope.jpg');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/<ERROR> NoSuchKey: /);
  });

  test('version enable/suspend/info, ls --versions, rm of a version, rm --versions, rb --force', async ({
    redis,
  }) => {
    const { cli } = await setup(redis);
    const dir = mkdtempSync(join(tmpdir(), 'cli-versions-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await cli('mb', 'myminio/kept');
    expect((await cli('version', 'info', 'myminio/kept')).stdout).toBe(
      'myminio/kept versioning is un-versioned\n',
    );
    expect((await cli('version', 'enable', 'myminio/kept')).stdout).toBe(
      'myminio/kept versioning is enabled\n',
    );
    expect((await cli('version', 'info', 'myminio/kept')).stdout).toBe(
      'myminio/kept versioning is enabled\n',
    );
    for (const text of ['one', 'two!']) {
      writeFileSync(join(dir, 'note.txt'), text);
      await cli('cp', join(dir, 'note.txt'), 'myminio/kept/note.txt');
    }
    await cli('rm', 'myminio/kept/note.txt');
    const listed = (await cli('--json', 'ls', '--versions', 'myminio/kept')).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(listed.map((v) => [v.key, v.isDeleteMarker, v.isLatest, v.size])).toEqual([
      ['note.txt', true, true, 0],
      ['note.txt', false, false, 4],
      ['note.txt', false, false, 3],
    ]);
    expect(listed.map((v) => v.versionOrdinal)).toEqual([3, 2, 1]);
    const text = (await cli('ls', '--versions', 'myminio/kept')).stdout;
    expect(text).toMatch(new RegExp(`STANDARD ${listed[0].versionId} v3 DEL note\\.txt\n`));
    expect(text).toMatch(new RegExp(` 3B STANDARD ${listed[2].versionId} v1 PUT note\\.txt\n`));
    // Removing the delete marker brings the object back.
    await cli('rm', '--version-id', listed[0].versionId, 'myminio/kept/note.txt');
    expect((await cli('cat', 'myminio/kept/note.txt')).stdout).toBe('two!');
    expect((await cli('version', 'suspend', 'myminio/kept')).stdout).toBe(
      'myminio/kept versioning is suspended\n',
    );
    // A versioned bucket with versions left is not empty; rb --force removes every version.
    expect((await cli('rb', 'myminio/kept')).stderr).toMatch(/BucketNotEmpty/);
    const versions = await cli('rm', '--versions', 'myminio/kept/note.txt');
    expect(versions.stderr).toMatch(/needs --force/);
    const removed = await cli('rm', '--versions', '--force', 'myminio/kept/note.txt');
    expect(removed.stdout.trim().split('\n')).toHaveLength(2);
    expect((await cli('ls', '--versions', 'myminio/kept')).stdout).toBe('');
    writeFileSync(join(dir, 'left.txt'), 'left');
    await cli('cp', join(dir, 'left.txt'), 'myminio/kept/left.txt');
    await cli('rm', 'myminio/kept/left.txt');
    expect((await cli('rb', '--force', 'myminio/kept')).stdout).toBe(
      'Removed `myminio/kept` successfully.\n',
    );
  });

  test('mb --with-lock, retention set|info|clear (--default too), legalhold set|info|clear', async ({
    redis,
  }) => {
    const { cli } = await setup(redis);
    const dir = mkdtempSync(join(tmpdir(), 'cli-lock-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await cli('mb', '--with-lock', 'myminio/vault');
    expect((await cli('version', 'info', 'myminio/vault')).stdout).toBe(
      'myminio/vault versioning is enabled\n',
    );
    expect((await cli('retention', 'set', '--default', 'GOVERNANCE', '30d', 'myminio/vault')).stdout).toBe(
      'Object lock configuration set successfully for `myminio/vault` (GOVERNANCE 30d).\n',
    );
    expect((await cli('retention', 'info', '--default', 'myminio/vault')).stdout).toBe(
      'myminio/vault: GOVERNANCE 30d\n',
    );
    writeFileSync(join(dir, 'deed.txt'), 'deed');
    await cli('cp', join(dir, 'deed.txt'), 'myminio/vault/deed.txt');
    const info = JSON.parse((await cli('--json', 'retention', 'info', 'myminio/vault/deed.txt')).stdout);
    expect(info.mode).toBe('GOVERNANCE');
    expect(Date.parse(info.retainUntilDate)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const [version] = (await cli('--json', 'ls', '--versions', 'myminio/vault')).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // Held by retention: removing the version is refused until the retention is cleared (with --bypass).
    const refused = await cli('rm', '--version-id', version.versionId, 'myminio/vault/deed.txt');
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/<ERROR> AccessDenied/)]);
    expect((await cli('retention', 'clear', 'myminio/vault/deed.txt')).stderr).toMatch(/AccessDenied/);
    expect((await cli('retention', 'clear', '--bypass', 'myminio/vault/deed.txt')).stdout).toBe(
      'Object retention successfully cleared for `myminio/vault/deed.txt`.\n',
    );
    expect((await cli('legalhold', 'set', 'myminio/vault/deed.txt')).stdout).toBe(
      'Object legal hold successfully set for `myminio/vault/deed.txt`.\n',
    );
    expect((await cli('legalhold', 'info', 'myminio/vault/deed.txt')).stdout).toBe(
      'myminio/vault/deed.txt: legal hold ON\n',
    );
    expect((await cli('rm', '--version-id', version.versionId, 'myminio/vault/deed.txt')).stderr).toMatch(
      /AccessDenied/,
    );
    await cli('legalhold', 'clear', 'myminio/vault/deed.txt');
    expect((await cli('rm', '--version-id', version.versionId, 'myminio/vault/deed.txt')).code).toBe(0);
    expect((await cli('retention', 'set', 'GOVERNANCE', 'soon', 'myminio/vault/x')).stderr).toMatch(
      /is not a validity/,
    );
  });

  test('mb, cp both ways (multipart above the threshold), ls, stat, cat, rm, rb', async ({ redis }) => {
    const { cli } = await setup(redis);
    const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const small = join(dir, 'note.txt');
    writeFileSync(small, 'hello bucket events\n');
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(17 * 1024 * 1024, 7));
    await cli('mb', 'myminio/files');
    expect((await cli('cp', small, 'myminio/files/docs/')).stdout).toMatch(
      /-> `myminio\/files\/docs\/note.txt`/,
    );
    const bigCopy = JSON.parse((await cli('--json', 'cp', big, 'myminio/files/big.bin')).stdout);
    expect(bigCopy).toMatchObject({ size: 17 * 1024 * 1024, multipart: true });
    const stat = JSON.parse((await cli('--json', 'stat', 'myminio/files/big.bin')).stdout);
    expect(stat.etag).toMatch(/-2$/); // two parts
    // The Content-Type from the extension, as mc sets it (multipart uploads too).
    expect(stat.type).toBe('application/octet-stream');
    expect(JSON.parse((await cli('--json', 'stat', 'myminio/files/docs/note.txt')).stdout).type).toBe(
      'text/plain',
    );
    expect((await cli('cat', 'myminio/files/docs/note.txt')).stdout).toBe('hello bucket events\n');
    const top = (await cli('ls', 'myminio/files')).stdout;
    expect(top).toMatch(/0B docs\/\n/);
    expect(top).toMatch(/17MiB big\.bin\n/);
    expect((await cli('ls', '--recursive', 'myminio/files')).stdout).toMatch(/docs\/note\.txt/);
    expect((await cli('ls', 'myminio')).stdout).toMatch(/ files\/\n/);
    const back = join(dir, 'back.txt');
    await cli('cp', 'myminio/files/docs/note.txt', back);
    expect(readFileSync(back, 'utf8')).toBe('hello bucket events\n');
    expect((await cli('rm', '--recursive', 'myminio/files/docs/')).code).toBe(1); // needs --force
    expect((await cli('rm', '--recursive', '--force', 'myminio/files/docs/')).stdout).toContain(
      'docs/note.txt',
    );
    expect((await cli('rb', 'myminio/files')).stderr).toMatch(/BucketNotEmpty/);
    expect((await cli('rb', '--force', 'myminio/files')).code).toBe(0);
    expect((await cli('ls', 'myminio')).stdout).not.toMatch(/files/);
  }, 120_000);

  test("watch prints an upload's event, filtered by suffix", async ({ redis }) => {
    const { cli } = await setup(redis);
    await cli('mb', 'myminio/images');
    const watcher = cli.spawn('--json', 'watch', 'myminio/images', '--suffix', '.jpg');
    cleanups.push(() => {
      watcher.kill('SIGINT');
    });
    let output = '';
    watcher.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    const dir = mkdtempSync(join(tmpdir(), 'cli-watch-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'myphoto.jpg'), 'jpeg');
    writeFileSync(join(dir, 'myphoto.png'), 'png');
    // Upload until the watcher is listening (its first event shows it).
    const deadline = Date.now() + 20_000;
    while (!output.includes('warmup.jpg') && Date.now() < deadline) {
      await cli('cp', join(dir, 'myphoto.jpg'), 'myminio/images/warmup.jpg');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    output = '';
    await cli('cp', join(dir, 'myphoto.png'), 'myminio/images/myphoto.png');
    await cli('cp', join(dir, 'myphoto.jpg'), 'myminio/images/myphoto.jpg');
    // How fast it arrives is the benchmark's business (docs/benchmarks.md), not this test's.
    const until = Date.now() + 30_000;
    while (!output.includes('myphoto.jpg') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const record = JSON.parse(output.trim().split('\n').at(-1) as string);
    expect(record).toMatchObject({
      eventName: 's3:ObjectCreated:Put',
      s3: { object: { key: 'myphoto.jpg', size: 4 } },
    });
    expect(output).not.toContain('myphoto.png');
  }, 60_000);

  test('cp --recursive both ways: the folder itself, or with a trailing slash its contents', async ({
    redis,
  }) => {
    const { cli } = await setup(redis);
    const dir = mkdtempSync(join(tmpdir(), 'cli-tree-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const photos = join(dir, 'photos');
    mkdirSync(join(photos, '2026', 'december'), { recursive: true });
    writeFileSync(join(photos, 'a.jpg'), 'jpeg a');
    writeFileSync(join(photos, '2026', 'december', 'b.png'), 'png b');
    await cli('mb', 'myminio/tree');

    expect((await cli('cp', '--recursive', photos, 'myminio/tree')).code).toBe(0);
    expect((await cli('cp', '-r', `${photos}/`, 'myminio/tree/flat/')).code).toBe(0);
    const listed = await keysIn(cli, 'myminio/tree');
    expect(listed).toEqual([
      'flat/2026/december/b.png',
      'flat/a.jpg',
      'photos/2026/december/b.png',
      'photos/a.jpg',
    ]);
    // Content-Type from the extension, as for one file.
    expect((await cli('stat', 'myminio/tree/photos/2026/december/b.png')).stdout).toMatch(
      /Type\s+: image\/png/,
    );

    const back = join(dir, 'back');
    expect((await cli('cp', '-r', 'myminio/tree/photos', back)).code).toBe(0);
    expect(readFileSync(join(back, 'photos', 'a.jpg'), 'utf8')).toBe('jpeg a');
    expect(readFileSync(join(back, 'photos', '2026', 'december', 'b.png'), 'utf8')).toBe('png b');
    const contents = join(dir, 'contents');
    expect((await cli('cp', '-r', 'myminio/tree/flat/', contents)).code).toBe(0);
    expect(readFileSync(join(contents, '2026', 'december', 'b.png'), 'utf8')).toBe('png b');
    expect(readdirSync(contents).sort()).toEqual(['2026', 'a.jpg']);
  }, 60_000);

  test('mirror sends only what is missing or different; --overwrite replaces, --remove deletes', async ({
    redis,
  }) => {
    const { cli } = await setup(redis);
    const dir = mkdtempSync(join(tmpdir(), 'cli-mirror-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'keep.txt'), 'same');
    writeFileSync(join(dir, 'change.txt'), 'before');
    writeFileSync(join(dir, 'docs', 'gone.txt'), 'bye');
    await cli('mb', 'myminio/backup');
    const mirror = async (...flags: string[]) => {
      const result = await cli('--json', 'mirror', ...flags, dir, 'myminio/backup/site');
      const lines = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      return { ...result, copied: lines.filter((l) => l.source).map((l) => l.target), summary: lines.at(-1) };
    };

    const first = await mirror();
    expect(first.code).toBe(0);
    expect(first.copied.sort()).toEqual([
      'myminio/backup/site/change.txt',
      'myminio/backup/site/docs/gone.txt',
      'myminio/backup/site/keep.txt',
    ]);
    // Nothing changed: nothing goes.
    const again = await mirror();
    expect(again.copied).toEqual([]);
    expect(again.summary).toMatchObject({ files: 3, transferred: 0 });

    writeFileSync(join(dir, 'change.txt'), 'after!'); // same name, new content
    writeFileSync(join(dir, 'new.txt'), 'new');
    rmSync(join(dir, 'docs', 'gone.txt'));
    // A different object is not replaced without --overwrite: said, and a non-zero exit.
    const refused = await mirror();
    expect(refused.code).not.toBe(0);
    expect(refused.copied).toEqual(['myminio/backup/site/new.txt']);
    expect(refused.stderr).toMatch(/site\/change\.txt.*--overwrite|--overwrite.*site\/change\.txt/);
    expect((await cli('cat', 'myminio/backup/site/change.txt')).stdout).toBe('before');

    const replaced = await mirror('--overwrite', '--remove');
    expect(replaced.code).toBe(0);
    expect(replaced.copied).toEqual(['myminio/backup/site/change.txt']);
    expect(replaced.summary).toMatchObject({ files: 3, transferred: 1, removed: 1 });
    expect((await cli('cat', 'myminio/backup/site/change.txt')).stdout).toBe('after!');
    const listed = await keysIn(cli, 'myminio/backup');
    expect(listed).toEqual(['site/change.txt', 'site/keep.txt', 'site/new.txt']);
  }, 60_000);

  test('watch reconnects when the server goes away and comes back, and goes on printing', async ({
    redis,
  }) => {
    const { cli, restart } = await setup(redis);
    await cli('mb', 'myminio/images');
    const watcher = cli.spawn('--json', 'watch', 'myminio/images');
    cleanups.push(() => {
      watcher.kill('SIGINT');
    });
    let output = '';
    let warnings = '';
    watcher.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    watcher.stderr?.on('data', (chunk) => {
      warnings += chunk;
    });
    const dir = mkdtempSync(join(tmpdir(), 'cli-watch-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'photo.jpg'), 'jpeg');
    /** Uploads `key` again and again until the watcher printed it (it may not be listening yet). */
    const seen = async (key: string) => {
      const deadline = Date.now() + 30_000;
      while (!output.includes(`"key":"${key}"`) && Date.now() < deadline) {
        await cli('cp', join(dir, 'photo.jpg'), `myminio/images/${key}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return output.includes(`"key":"${key}"`);
    };
    expect(await seen('before.jpg')).toBe(true);
    await restart();
    expect(await seen('after.jpg')).toBe(true);
    expect(warnings).toMatch(/<WARN> watch: connection lost .*; reconnecting in/);
    expect(watcher.exitCode).toBeNull();
  }, 60_000);
});
