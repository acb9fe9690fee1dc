// A real Prometheus (Debian's, as infra/local/tools installs it) scrapes every
// process of a running stack, with the project's alert rules loaded: each
// process is `up`, the delivery series count what was uploaded, every rule
// evaluates, and every query of the Grafana dashboard is valid PromQL.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { eventually, freePort, isCi, loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Part, type Stack, startStack } from './stack.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const PROMETHEUS = '/usr/bin/prometheus';
const ARN = 'arn:minio:sqs:us-east-1:1:redis';
const UPLOADS = 12;
const available = existsSync(PROMETHEUS);
if (!available && isCi()) throw new Error(`${PROMETHEUS} is missing: infra/local/tools installs it`);

let stack: Stack;
let prometheus: ChildProcess;
let prometheusUrl: string;
let dir: string;
const key = uniqueName('prom-events');

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promql: string): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; error?: string; data: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data.result;
}

/** The single value of a query that sums to one series. */
async function scalar(promql: string): Promise<number | undefined> {
  const [sample] = await query(promql);
  return sample ? Number(sample.value[1]) : undefined;
}

beforeAll(async () => {
  if (!available) return;
  const redisUrl = loadServiceEndpoints().redisUrl;
  const { host, port } = new URL(redisUrl);
  stack = await startStack({
    config: {
      notify: { redis: { '1': { enable: true, address: `${host}:${port}`, key, format: 'access' } } },
    },
    targets: ['redis'],
    redisUrl,
    metrics: true,
  });
  dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const jobs = (Object.entries(stack.metricsPorts) as [Part, number][]).map(([part, metricsPort]) => ({
    job_name: `bucket-events-${['ingest', 'router'].includes(part) ? part : `target-${part}`}`,
    static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }],
  }));
  // JSON is YAML: no YAML writer needed for a generated config.
  writeFileSync(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(ROOT, 'infra/deploy/prometheus/alerts.yml')],
      scrape_configs: jobs,
    }),
  );
  const webPort = await freePort();
  prometheusUrl = `http://127.0.0.1:${webPort}`;
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${webPort}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  await eventually(
    async () => ((await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
    { what: 'Prometheus ready', timeoutMs: 60_000, intervalMs: 250 },
  );
}, 120_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(loadServiceEndpoints().redisUrl);
  await redis.del(key);
  redis.disconnect();
}, 60_000);

describe.skipIf(!available)('a real Prometheus scraping every process', () => {
  it('sees every process up and the delivery series counting what was uploaded', async () => {
    const ups = await eventually(
      async () => {
        const samples = await query('up');
        return samples.length === 3 && samples.every((s) => s.value[1] === '1') ? samples : undefined;
      },
      { what: 'every process up', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(ups.map((s) => s.metric.job).sort()).toEqual([
      'bucket-events-ingest',
      'bucket-events-router',
      'bucket-events-target-redis',
    ]);
    // Idle and connected: up before the first event.
    await eventually(
      async () => ((await scalar(`bucket_events_target_up{target="${ARN}"}`)) === 1 ? true : undefined),
      {
        what: 'target_up 1 before any event',
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );

    await stack.s3.send(new CreateBucketCommand({ Bucket: 'scraped' }));
    await stack.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'scraped',
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: ARN, Events: ['s3:ObjectCreated:*'] }],
        },
      }),
    );
    for (let i = 0; i < UPLOADS; i++)
      await stack.s3.send(new PutObjectCommand({ Bucket: 'scraped', Key: `photo-${i}.jpg`, Body: 'x' }));

    await eventually(
      async () =>
        (await scalar(`sum(bucket_events_delivered_total{target="${ARN}",kind="redis",id="1"})`)) === UPLOADS
          ? true
          : undefined,
      { what: 'every event counted as delivered', timeoutMs: 60_000, intervalMs: 250 },
    );
    // Each process is scraped on its own schedule: every series reaches its value in its next scrape.
    const expected: [string, number][] = [
      ['sum(bucket_events_s3_requests_total{api="PutObject",status="200"})', UPLOADS],
      ['sum(bucket_events_router_mutations_total)', UPLOADS],
      [`sum(bucket_events_router_events_total{target="${ARN}"})`, UPLOADS],
      [`sum(bucket_events_delivery_latency_seconds_count{target="${ARN}"})`, UPLOADS],
      ['sum(bucket_events_router_leader)', 1],
      ['sum(bucket_events_relay_records_total)', UPLOADS],
      ['sum(bucket_events_outbox_rows)', 0],
      [`bucket_events_queue_depth{target="${ARN}"}`, 0],
      // The one process owns all 16 partitions and reports each one's backlog.
      [`sum(bucket_events_target_partitions_owned{target="${ARN}"})`, 16],
      [`count(bucket_events_partition_queue_depth{target="${ARN}"})`, 16],
      ['sum(bucket_events_router_partition_changes_pending)', 0],
    ];
    for (const [promql, value] of expected) {
      let last: number | undefined;
      await eventually(
        async () => {
          last = await scalar(promql);
          return last === value ? true : undefined;
        },
        { what: `${promql} = ${value}`, timeoutMs: 30_000, intervalMs: 250 },
      ).catch((error: Error) => {
        throw new Error(`${error.message} (last: ${last})`);
      });
    }
    const redis = new Redis(loadServiceEndpoints().redisUrl);
    expect(await redis.llen(key)).toBe(UPLOADS);
    redis.disconnect();
  }, 120_000);

  it('evaluates every alert rule, fires none on a healthy stack, and runs every dashboard query', async () => {
    const rules = await eventually(
      async () => {
        const response = await fetch(`${prometheusUrl}/api/v1/rules`);
        const body = (await response.json()) as {
          data: { groups: { rules: { name: string; health: string; lastEvaluation: string }[] }[] };
        };
        const all = body.data.groups.flatMap((group) => group.rules);
        return all.length > 0 &&
          all.every((rule) => rule.health === 'ok' && !rule.lastEvaluation.startsWith('0001'))
          ? all
          : undefined;
      },
      { what: 'every rule evaluated', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(rules.map((rule) => rule.name)).toContain('BucketEventsTargetDown');
    expect(await query('ALERTS{alertstate="firing"}')).toEqual([]);

    const dashboard = JSON.parse(
      readFileSync(join(ROOT, 'infra/deploy/grafana/bucket-events.json'), 'utf8'),
    ) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const expressions = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    expect(expressions.length).toBeGreaterThan(10);
    for (const expr of expressions) await query(expr.replaceAll('$__rate_interval', '1m'));
    // The delivery panel shows the stack's target.
    const delivered = await query('sum by (target) (rate(bucket_events_delivered_total[1m]))');
    expect(delivered.map((sample) => sample.metric.target)).toEqual([ARN]);
  }, 120_000);
});
