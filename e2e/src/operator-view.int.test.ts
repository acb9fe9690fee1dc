// The operator's view during a real outage: the Redis target writes to a Redis
// server of its own, which the test stops. `bucket-events admin targets` (the
// CLI, through the signed admin API) shows the target offline with a growing
// backlog and online again after the restart; the status page, in headless
// Chromium, turns the target's card red with the backlog shown, and the test
// keeps a screenshot of it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { deadLetterQueueName, type TargetStatus } from '@bucket-events/contracts';
import { conformanceJob } from '@bucket-events/target-kit/conformance';
import { loadServiceEndpoints } from '@bucket-events/testing';
import { type PrivateRedis, privateRedis } from '@bucket-events/testing/services';
import { Queue } from 'bullmq';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.ts';

const CLI = new URL('../../apps/cli/bin/bucket-events.mjs', import.meta.url).pathname;
const ARN = 'arn:minio:sqs:us-east-1:1:redis';
const run = promisify(execFile);

let redis: PrivateRedis;
let stack: Stack;
let browser: Browser;
let cliDir: string;

/** The CLI's JSON lines for one command. */
async function cli(...args: string[]): Promise<Record<string, unknown>[]> {
  const env = { ...process.env, BUCKET_EVENTS_CLI_CONFIG_DIR: cliDir };
  const { stdout } = await run(process.execPath, [CLI, '--json', ...args], { env });
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((text) => JSON.parse(text) as Record<string, unknown>);
}

async function adminTargets(): Promise<TargetStatus> {
  const env = { ...process.env, BUCKET_EVENTS_CLI_CONFIG_DIR: cliDir };
  const { stdout } = await run(process.execPath, [CLI, '--json', 'admin', 'targets', 'myminio'], { env });
  const line = stdout
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as TargetStatus)
    .find((status) => status.arn === ARN);
  if (!line) throw new Error(`admin targets did not list ${ARN}: ${stdout}`);
  return line;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let uploads = 0;
async function upload(count: number) {
  for (let i = 0; i < count; i++) {
    uploads += 1;
    await stack.s3.send(
      new PutObjectCommand({ Bucket: 'images', Key: `photo-${uploads}.jpg`, Body: 'jpeg' }),
    );
  }
}

beforeAll(async () => {
  redis = await privateRedis();
  await redis.start();
  stack = await startStack({
    config: {
      notify: {
        redis: { '1': { enable: true, address: redis.address, key: 'bucketevents', format: 'access' } },
      },
    },
    targets: ['redis'],
    redisUrl: loadServiceEndpoints().redisUrl,
    env: { TARGET_RETRY_MAX_MS: '1000' },
  });
  cliDir = mkdtempSync(join(tmpdir(), 'operator-cli-'));
  await run(process.execPath, [CLI, 'alias', 'set', 'myminio', stack.endpoint, 'minioadmin', 'minioadmin'], {
    env: { ...process.env, BUCKET_EVENTS_CLI_CONFIG_DIR: cliDir },
  });
  await stack.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
  await stack.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'images',
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: ARN, Events: ['s3:ObjectCreated:*'] }] },
    }),
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await redis?.remove();
  if (cliDir) rmSync(cliDir, { recursive: true, force: true });
}, 60_000);

describe("the operator's view of a target outage", () => {
  it('admin targets and the status page show the target offline with a growing backlog, then online again', async () => {
    // Connected and idle: online before its first event, not only after a write.
    const idle = await until(async () => {
      const status = await adminTargets();
      return status.state === 'online' ? status : undefined;
    }, 'the idle target online');
    expect(idle.delivered).toBe(0);
    await upload(5);
    const healthy = await until(async () => {
      const status = await adminTargets();
      return status.state === 'online' && status.delivered >= 5 && status.backlog === 0 ? status : undefined;
    }, 'the target online with 5 delivered');
    expect(healthy.lastError).toBe('');
    // Its one process owns all 16 partitions; the text view lists the process under the target.
    expect(healthy.instances).toHaveLength(1);
    expect(healthy.instances[0]?.partitions).toHaveLength(16);
    expect(healthy.partitions.every((partition) => partition.owner === healthy.instances[0]?.instance)).toBe(
      true,
    );
    const env = { ...process.env, BUCKET_EVENTS_CLI_CONFIG_DIR: cliDir };
    const { stdout: table } = await run(process.execPath, [CLI, 'admin', 'targets', 'myminio'], { env });
    expect(table).toMatch(/^ {2}\S+:\d+:target\.redis\.1 {2}online {2}held \d+ {2}partitions 16: p0 p1 /m);

    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(stack.consoleUrl);
    const card = page.locator(`section.target[data-arn="${ARN}"]`);
    await card.waitFor();
    await expect.poll(() => card.getAttribute('class'), { timeout: 15_000 }).toContain('state-online');
    await expect
      .poll(() => card.locator('.partitions tbody tr').first().locator('td').last().textContent(), {
        timeout: 15_000,
      })
      .toMatch(/^p0 \(0\) p1 \(0\)/);

    await redis.stop();
    await upload(20);
    const down = await until(async () => {
      const status = await adminTargets();
      return status.state === 'offline' && status.backlog >= 20 ? status : undefined;
    }, 'the target offline with a backlog');
    expect(down.lastError).not.toBe('');
    await upload(15);
    const growing = await until(async () => {
      const status = await adminTargets();
      return status.backlog >= 35 ? status : undefined;
    }, 'the backlog growing');
    expect(growing.state).toBe('offline');

    // The page: the card turns red, shows the backlog, and the screenshot records it.
    await expect.poll(() => card.getAttribute('class'), { timeout: 15_000 }).toContain('state-offline');
    await expect
      .poll(async () => Number(await card.locator('.backlog').textContent()), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(35);
    expect(await card.locator('.state').textContent()).toBe('offline');
    const border = await card.evaluate((element) => getComputedStyle(element).borderTopColor);
    expect(border).toBe('rgb(221, 34, 34)');
    expect(await card.locator('.error').textContent()).not.toBe('');
    const screenshot = join(stack.logDir, 'status-page-outage.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);

    await redis.start();
    const recovered = await until(
      async () => {
        const status = await adminTargets();
        return status.state === 'online' && status.backlog === 0 ? status : undefined;
      },
      'the target online again with its backlog delivered',
      60_000,
    );
    expect(recovered.delivered).toBeGreaterThanOrEqual(40);
    const stored = redis.client();
    await stored.connect();
    expect(await stored.llen('bucketevents')).toBeGreaterThanOrEqual(40);
    stored.disconnect();
    await expect.poll(() => card.getAttribute('class'), { timeout: 15_000 }).toContain('state-online');
    await page.close();
  }, 180_000);

  it('the status page shows the router: leading, red while no router runs, leading again', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    try {
      await page.goto(stack.consoleUrl);
      const router = page.locator('#stage-router');
      const ingest = page.locator('#stage-ingest');
      await expect.poll(() => router.getAttribute('class'), { timeout: 15_000 }).toContain('state-leading');
      await expect.poll(() => ingest.getAttribute('class'), { timeout: 15_000 }).toContain('state-ready');
      await stack.kill('router');
      await expect
        .poll(() => router.getAttribute('class'), { timeout: 15_000 })
        .toContain('state-no-process');
      expect(await router.evaluate((element) => getComputedStyle(element).borderTopColor)).toBe(
        'rgb(221, 34, 34)',
      );
      await stack.relaunch('router');
      await expect.poll(() => router.getAttribute('class'), { timeout: 30_000 }).toContain('state-leading');
    } finally {
      await page.close();
    }
  }, 90_000);

  it('admin dlq lists a dead letter, sends it back to the target, and purges', async () => {
    const dead = new Queue(deadLetterQueueName({ kind: 'redis', id: '1' }), {
      prefix: stack.prefix,
      connection: { url: loadServiceEndpoints().redisUrl },
    });
    try {
      const job = conformanceJob('redis', 'rejected.jpg');
      const letter = {
        job,
        error: 'fatal: rejected by the target',
        attempts: 1,
        target: ARN,
        failedAt: new Date().toISOString(),
      };
      await dead.add('dead', letter);
      await dead.add('dead', { ...letter, job: { ...job, sequencer: 'not a job' } }); // unusable: stays
      const listed = await cli('admin', 'dlq', 'list', 'myminio', ARN);
      expect(listed.map((row) => row.error)).toEqual([
        'fatal: rejected by the target',
        'fatal: rejected by the target',
      ]);
      expect(await cli('admin', 'dlq', 'redrive', 'myminio', ARN)).toMatchObject([{ redriven: 1 }]);
      const stored = redis.client();
      await stored.connect();
      await until(async () => {
        const items = await stored.lrange('bucketevents', 0, -1);
        return items.some((item) => item.includes(job.sequencer)) ? true : undefined;
      }, 'the re-driven event at the target');
      stored.disconnect();
      expect(await cli('admin', 'dlq', 'purge', 'myminio', ARN)).toMatchObject([{ purged: 1 }]);
      expect(await cli('admin', 'dlq', 'list', 'myminio', ARN)).toEqual([]);
    } finally {
      await dead.close();
    }
  }, 60_000);
});
