// The quick start as a user runs it: `bash scripts/start`, then every process's
// metrics endpoint scraped, with no target, with the built-in default (one
// Redis target) and with two targets of one kind — each scrape answers 200 with
// labelled series, and S3 still answers afterwards. It uses the default ports
// (9000, 9001, 9100–9107), so it runs in the phase that runs alone.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_METRICS_PORTS, type ProcessName } from '@bucket-events/contracts';
import { forgetPrefix, loadServiceEndpoints, uniqueName } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SERVICE: Record<ProcessName, string> = {
  ingest: 'ingest',
  router: 'router',
  amqp: 'target-amqp',
  elasticsearch: 'target-elasticsearch',
  redis: 'target-redis',
  nats: 'target-nats',
  postgresql: 'target-postgresql',
  kafka: 'target-kafka',
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Started {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** `bash scripts/start` in a home of its own (so ~/.minio/config.json is the test's to decide). */
function quickStart(home: string, prefix: string, configFile?: string): Started {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
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
  const child = spawn('bash', ['scripts/start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    it(`with ${scenario.name}: every metrics endpoint answers 200 with labelled series, and S3 still answers`, async () => {
      const home = mkdtempSync(join(tmpdir(), 'quick-start-'));
      const prefix = uniqueName('qs');
      let configFile: string | undefined;
      if (scenario.config) {
        configFile = join(home, 'config.json');
        writeFileSync(configFile, JSON.stringify(scenario.config));
      }
      const started = quickStart(home, prefix, configFile);
      try {
        for (const [part, port] of Object.entries(DEFAULT_METRICS_PORTS)) {
          await until(
            `${part} on :${port}`,
            async () => ((await fetch(`http://127.0.0.1:${port}/metrics`)).status ? true : undefined),
            180_000,
          ).catch((error: Error) => {
            throw new Error(`${error.message}\n${started.output().slice(-3000)}`);
          });
        }
        // Scraped twice, as Prometheus does again and again: a scrape must never end a process.
        for (let round = 0; round < 2; round++) {
          for (const [part, port] of Object.entries(DEFAULT_METRICS_PORTS) as [ProcessName, number][]) {
            const response = await fetch(`http://127.0.0.1:${port}/metrics`);
            expect(response.status, `${part} /metrics`).toBe(200);
            const body = await response.text();
            expect(body).toContain(`bucket_events_build_info{service="${SERVICE[part]}"`);
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
        // Idle targets are ready; so is every app with nothing to do.
        for (const [part, port] of Object.entries(DEFAULT_METRICS_PORTS)) {
          await until(
            `${part} ready`,
            async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined),
            30_000,
          );
        }
        expect((await fetch('http://127.0.0.1:9000/minio/health/ready')).status).toBe(200);
        const s3 = new S3Client({
          endpoint: 'http://127.0.0.1:9000',
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' },
        });
        const listed = await s3.send(new ListBucketsCommand({}));
        expect(listed.$metadata.httpStatusCode).toBe(200);
        s3.destroy();
        expect(started.child.exitCode).toBeNull();
      } finally {
        await started.stop();
        rmSync(home, { recursive: true, force: true });
        const redis = new Redis(loadServiceEndpoints().redisUrl);
        await forgetPrefix(redis, `${prefix}:`);
        await redis.del('qs-events-1', 'qs-events-2');
        redis.disconnect();
      }
      // Stopped for good: nothing restarted it, the ports are free for the next scenario.
      for (const port of Object.values(DEFAULT_METRICS_PORTS))
        await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    }, 300_000);
  }
});
