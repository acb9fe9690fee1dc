// The quick start as a user runs it: `bash scripts/start`, then every running
// process's metrics endpoint scraped, with no target, with the built-in default
// (one Redis target) and with two targets of one kind — each scrape answers 200
// with labelled series, the apps of kinds with no enabled target are not
// started, and S3 still answers afterwards. It uses the default ports
// (9000, 9001, 9100–9109), so it runs in the phase that runs alone. And one
// process killed: the supervisor starts it again while S3 keeps answering.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  ListBucketsCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { appName, DEFAULT_METRICS_PORTS, type ProcessName } from '@bucket-events/contracts';
import { startWebhookReceiver } from '@bucket-events/target-webhook/receiver';
import { eventually, forgetPrefix, loadServiceEndpoints, uniqueName } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** `bash scripts/start [args]` in a home of its own (so ~/.minio/config.json is the test's to decide). */
function quickStart(
  home: string,
  prefix: string,
  configFile?: string,
  args: string[] = [],
  extraEnv: NodeJS.ProcessEnv = {},
): Started {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...extraEnv,
    HOME: home,
    BUCKET_EVENTS_QUEUE_PREFIX: prefix,
    MINIO_ROOT_USER: 'minioadmin',
    MINIO_ROOT_PASSWORD: 'minioadmin',
    LOG_LEVEL: 'warn',
  };
  delete env.BUCKET_EVENTS_CONFIG;
  delete env.MINIO_CONFIG_FILE;
  delete env.BUCKET_EVENTS_METRICS_PORT;
  if (configFile) env.BUCKET_EVENTS_CONFIG = configFile;
  const child = spawn('bash', ['scripts/start', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk) => {
    log += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  return {
    child,
    output: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A client of the quick start's S3 endpoint, with the documented default credentials. */
const quickStartS3 = () =>
  new S3Client({
    endpoint: 'http://127.0.0.1:9000',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' },
  });

const scenarios = [
  { name: 'no target at all', config: {}, redisTargets: [] as string[] },
  { name: 'the built-in default (one Redis target)', config: undefined, redisTargets: ['1'] },
  {
    name: 'two Redis targets',
    config: {
      notify: {
        redis: {
          '1': { enable: true, address: '127.0.0.1:6379', key: 'qs-events-1', format: 'access' },
          '2': { enable: true, address: '127.0.0.1:6379', key: 'qs-events-2', format: 'access' },
        },
      },
    },
    redisTargets: ['1', '2'],
  },
];

describe('bash scripts/start, scraped like Prometheus would', () => {
  for (const scenario of scenarios) {
    it(`with ${scenario.name}: every process it runs answers /metrics with labelled series, no idle app runs, and S3 still answers`, async () => {
      const home = mkdtempSync(join(tmpdir(), 'quick-start-'));
      const prefix = uniqueName('qs');
      let configFile: string | undefined;
      if (scenario.config) {
        configFile = join(home, 'config.json');
        writeFileSync(configFile, JSON.stringify(scenario.config));
      }
      const started = quickStart(home, prefix, configFile);
      try {
        // Only what the configuration needs runs: ingest, the router, and the apps of enabled kinds.
        const running = Object.entries(DEFAULT_METRICS_PORTS).filter(
          ([part]) =>
            part === 'ingest' || part === 'router' || (part === 'redis' && scenario.redisTargets.length > 0),
        ) as [ProcessName, number][];
        for (const [part, port] of running) {
          await eventually(
            async () =>
              (await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined))?.status
                ? true
                : undefined,
            { what: `${part} on :${port}`, timeoutMs: 180_000, intervalMs: 200 },
          ).catch((error: Error) => {
            throw new Error(`${error.message}\n${started.output().slice(-3000)}`);
          });
        }
        // Scraped twice, as Prometheus does again and again: a scrape must never end a process.
        for (let round = 0; round < 2; round++) {
          for (const [part, port] of running) {
            const response = await fetch(`http://127.0.0.1:${port}/metrics`);
            expect(response.status, `${part} /metrics`).toBe(200);
            const body = await response.text();
            expect(body).toContain(`bucket_events_build_info{service="${appName(part)}"`);
            expect(body).toContain('process_resident_memory_bytes');
            if (part === 'redis') {
              const delivered = body
                .split('\n')
                .filter((l) => l.startsWith('bucket_events_delivered_total{'));
              expect(delivered.map((l) => /id="([^"]+)"/.exec(l)?.[1]).sort()).toEqual(scenario.redisTargets);
              for (const line of delivered)
                expect(line).toMatch(
                  /^bucket_events_delivered_total\{target="arn:minio:sqs:us-east-1:\d+:redis",kind="redis",id="\d+"\} 0$/,
                );
            }
          }
        }
        // Idle targets are ready.
        for (const [part, port] of running) {
          await eventually(
            async () =>
              (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200
                ? true
                : undefined,
            { what: `${part} ready`, timeoutMs: 30_000, intervalMs: 200 },
          );
        }
        expect((await fetch('http://127.0.0.1:9000/minio/health/ready')).status).toBe(200);
        // The apps of kinds with no enabled target were not started, and the supervisor says so.
        const idle = Object.entries(DEFAULT_METRICS_PORTS).filter(
          ([part]) => !running.some(([p]) => p === part),
        );
        for (const [, port] of idle)
          await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
        expect(started.output()).toContain(
          `not started, no enabled target of their kind: ${idle
            .map(([part]) => appName(part as ProcessName))
            .sort()
            .join(' ')}`,
        );
        const s3 = quickStartS3();
        const listed = await s3.send(new ListBucketsCommand({}));
        expect(listed.$metadata.httpStatusCode).toBe(200);
        s3.destroy();
        expect(started.child.exitCode).toBeNull();
      } finally {
        await stopAndForget(started, home, prefix);
      }
    }, 300_000);
  }

  it('--standalone, as the README gives it: one process serves S3, routes, delivers to the default Redis list and answers one /metrics for all', async () => {
    const home = mkdtempSync(join(tmpdir(), 'quick-start-'));
    const prefix = uniqueName('qs');
    const started = quickStart(home, prefix, undefined, ['--standalone']);
    const bucket = uniqueName('standalone').replaceAll('_', '-'); // a valid bucket name
    const redis = new Redis(loadServiceEndpoints().redisUrl);
    const ours = async () =>
      (await redis.lrange('bucketevents', 0, -1)).filter((entry) => entry.includes(`"${bucket}"`));
    try {
      const port = DEFAULT_METRICS_PORTS.ingest;
      // Ready with every part (the router may stand by for a moment before it leads).
      await eventually(
        async () => {
          const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          return answer?.status === 200 &&
            /ingest: ready; router: leading; target-redis: online/.test(await answer.text())
            ? true
            : undefined;
        },
        { what: 'the standalone process ready, its router leading', timeoutMs: 180_000, intervalMs: 200 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${started.output().slice(-3000)}`);
      });
      // One process: no router or target app of its own, on its port or as a process.
      await expect(fetch(`http://127.0.0.1:${DEFAULT_METRICS_PORTS.router}/metrics`)).rejects.toThrow();
      await expect(fetch(`http://127.0.0.1:${DEFAULT_METRICS_PORTS.redis}/metrics`)).rejects.toThrow();
      expect(pidRunning(join(ROOT, 'apps/router/dist/main.mjs'))).toBeUndefined();
      expect(pidRunning(join(ROOT, 'apps/target-redis/dist/main.mjs'))).toBeUndefined();

      // The seed's flow against it: a bucket, a rule for the default target, an upload, its event.
      const s3 = quickStartS3();
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            QueueConfigurations: [
              { QueueArn: 'arn:minio:sqs:us-east-1:1:redis', Events: ['s3:ObjectCreated:*'] },
            ],
          },
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'myphoto.jpg', Body: 'jpeg' }));
      s3.destroy();
      const [event] = await eventually(async () => ((await ours()).length > 0 ? ours() : undefined), {
        what: 'the event in the bucketevents list',
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      expect(JSON.parse(event as string).Records[0]).toMatchObject({
        eventName: 's3:ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: 'myphoto.jpg' } },
      });

      // Every part's series on the one port, each family once (a scrape Prometheus accepts). The
      // delivered count follows the write's confirmation, a moment after the event is readable.
      const body = await eventually(
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return /^bucket_events_delivered_total\{[^}]*id="1"\} 1$/m.test(text) ? text : undefined;
        },
        { what: 'the delivery counted', timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(body).toContain('bucket_events_build_info{service="standalone"');
      expect(body).toContain('bucket_events_router_leader 1');
      expect(body).toMatch(/^bucket_events_relay_records_total [1-9]/m);
      expect(body).toMatch(
        /^bucket_events_delivered_total\{target="arn:minio:sqs:us-east-1:1:redis",kind="redis",id="1"\} 1$/m,
      );
      const families = body.split('\n').filter((line) => line.startsWith('# TYPE '));
      expect(new Set(families).size).toBe(families.length);
    } finally {
      for (const entry of await ours()) await redis.lrem('bucketevents', 0, entry);
      redis.disconnect();
      await stopAndForget(started, home, prefix);
    }
    expect(started.child.exitCode).toBe(0);
  }, 300_000);

  it('MINIO_NOTIFY_WEBHOOK_* alone, as the README gives it: the webhook target runs with no config file and receives the upload', async () => {
    const home = mkdtempSync(join(tmpdir(), 'quick-start-'));
    const prefix = uniqueName('qs');
    const receiver = await startWebhookReceiver({ path: '/events' });
    const started = quickStart(home, prefix, undefined, [], {
      MINIO_NOTIFY_WEBHOOK_ENABLE_1: 'on',
      MINIO_NOTIFY_WEBHOOK_ENDPOINT_1: receiver.endpoint,
    });
    const bucket = uniqueName('webhook').replaceAll('_', '-');
    const s3 = quickStartS3();
    try {
      await eventually(
        async () =>
          (await fetch(`http://127.0.0.1:${DEFAULT_METRICS_PORTS.webhook}/readyz`).catch(() => undefined))
            ?.status === 200
            ? true
            : undefined,
        { what: 'the webhook target app ready', timeoutMs: 180_000, intervalMs: 200 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${started.output().slice(-3000)}`);
      });
      // The webhook app is ready long before ingest listens (it only dials the endpoint).
      await eventually(
        async () => ((await s3.send(new ListBucketsCommand({})).catch(() => undefined)) ? true : undefined),
        { what: 'S3 on :9000', timeoutMs: 180_000, intervalMs: 200 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${started.output().slice(-3000)}`);
      });
      // The seed's flow with the webhook's ARN: `mc event add … arn:minio:sqs:us-east-1:1:webhook --suffix .jpg`.
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                QueueArn: 'arn:minio:sqs:us-east-1:1:webhook',
                Events: ['s3:ObjectCreated:*'],
                Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jpg' }] } },
              },
            ],
          },
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'myphoto.jpg', Body: 'jpeg' }));
      const [received] = await eventually(
        async () => (receiver.received.length > 0 ? receiver.received : undefined),
        { what: 'the event at the endpoint', timeoutMs: 60_000, intervalMs: 100 },
      );
      expect(received?.message).toMatchObject({
        EventName: 's3:ObjectCreated:Put',
        Key: `${bucket}/myphoto.jpg`,
        Records: [{ s3: { bucket: { name: bucket }, object: { key: 'myphoto.jpg' } } }],
      });
    } finally {
      s3.destroy();
      await stopAndForget(started, home, prefix);
      await receiver.close();
    }
    expect(started.child.exitCode).toBe(0);
  }, 300_000);

  it('one app alone, as the README gives it: node scripts/supervise.mjs target-redis', async () => {
    const home = mkdtempSync(join(tmpdir(), 'quick-start-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      BUCKET_EVENTS_QUEUE_PREFIX: uniqueName('qs'),
    };
    delete env.BUCKET_EVENTS_CONFIG;
    delete env.MINIO_CONFIG_FILE;
    delete env.BUCKET_EVENTS_METRICS_PORT;
    // The bundles were built by the scenarios above (bash scripts/start builds them).
    const child = spawn(process.execPath, ['scripts/supervise.mjs', 'target-redis'], {
      cwd: ROOT,
      env,
      stdio: 'ignore',
    });
    try {
      const metrics = await eventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${DEFAULT_METRICS_PORTS.redis}/metrics`).catch(
            () => undefined,
          );
          return response?.ok ? response.text() : undefined;
        },
        { what: 'target-redis on its port', timeoutMs: 60_000, intervalMs: 200 },
      );
      expect(metrics).toContain('bucket_events_build_info{service="target-redis"');
      // Only that app: no S3 API, no other process's port.
      await expect(fetch('http://127.0.0.1:9000/minio/health/live')).rejects.toThrow();
      await expect(fetch(`http://127.0.0.1:${DEFAULT_METRICS_PORTS.ingest}/metrics`)).rejects.toThrow();
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(home, { recursive: true, force: true });
    }
    expect(child.exitCode).toBe(0);
  }, 120_000);

  it('a process that dies is started again, and S3 answers all along', async () => {
    const home = mkdtempSync(join(tmpdir(), 'quick-start-'));
    const prefix = uniqueName('qs');
    const started = quickStart(home, prefix);
    // The default configuration's one target: its app is the one target app running.
    const bundle = join(ROOT, 'apps/target-redis/dist/main.mjs');
    try {
      const metricsAnswer = async () =>
        (await fetch(`http://127.0.0.1:${DEFAULT_METRICS_PORTS.redis}/metrics`).catch(() => undefined))?.ok;
      const victim = await eventually(
        async () => ((await metricsAnswer()) ? pidRunning(bundle) : undefined),
        {
          what: 'the Redis target app up',
          timeoutMs: 180_000,
          intervalMs: 200,
        },
      );
      await eventually(
        async () =>
          (await fetch('http://127.0.0.1:9000/minio/health/live').catch(() => undefined))?.ok
            ? true
            : undefined,
        { what: 'S3 up', timeoutMs: 60_000, intervalMs: 200 },
      );
      process.kill(victim, 'SIGKILL');
      expect((await fetch('http://127.0.0.1:9000/minio/health/live')).status).toBe(200);
      const successor = await eventually(
        async () => {
          const pid = pidRunning(bundle);
          return pid !== undefined && pid !== victim && (await metricsAnswer()) ? pid : undefined;
        },
        { what: 'the Redis target app started again', timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(successor).not.toBe(victim);
      expect(started.output()).toMatch(/target-redis exited \(SIGKILL\); restarting it/);
      expect((await fetch('http://127.0.0.1:9000/minio/health/live')).status).toBe(200);
    } finally {
      await stopAndForget(started, home, prefix);
    }
  }, 300_000);
});

/** Stops the product, forgets its Redis keys; then the ports must be free: nothing restarted it. */
async function stopAndForget(started: Started, home: string, prefix: string): Promise<void> {
  await started.stop();
  rmSync(home, { recursive: true, force: true });
  const redis = new Redis(loadServiceEndpoints().redisUrl);
  await forgetPrefix(redis, `${prefix}:`);
  await redis.del('qs-events-1', 'qs-events-2');
  redis.disconnect();
  for (const port of Object.values(DEFAULT_METRICS_PORTS))
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
}

/** The process running this bundle (the supervisor starts each app by its bundle's path). */
function pidRunning(bundle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(bundle)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
