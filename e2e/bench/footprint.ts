// Benchmark (not a test) of the default start's memory, both ways it runs: the
// separate services (`bash scripts/start`) and the standalone process
// (`bash scripts/start --standalone`), each with the default configuration (one
// Redis target) in an empty HOME, as a new user starts it.
//
//   pnpm --filter @bucket-events/e2e exec node --import tsx bench/footprint.ts [--idle-seconds 15]
//        [--rate 500] [--load-seconds 20] [--size 4096] [--modes services,standalone]
//
// For each mode: the resident memory (VmRSS) of every process it runs — the
// supervisor, the apps, and the Redis server they share — once everything
// answered ready and then sat idle; then PUTs at a fixed rate into a bucket
// whose rule sends to the default Redis target, and each process's peak (VmHWM)
// over the whole run. The events the load appended to the `bucketevents` list are
// removed afterwards. Ports 9000, 9001 and 9100–9107 must be free.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_METRICS_PORTS } from '@bucket-events/contracts';
import { createS3Driver } from '@bucket-events/testing/s3-driver';
import { eventually, loadServiceEndpoints } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';
import { pause, peakRssMiB } from './proc.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    'idle-seconds': { type: 'string', default: '15' },
    rate: { type: 'string', default: '500' },
    'load-seconds': { type: 'string', default: '20' },
    size: { type: 'string', default: '4096' },
    modes: { type: 'string', default: 'services,standalone' },
  },
});
const ROOT = new URL('../../', import.meta.url).pathname;
const idleSeconds = Number(values['idle-seconds']);
const rate = Number(values.rate);
const loadSeconds = Number(values['load-seconds']);
const size = Number(values.size);
const modes = values.modes.split(',') as ('services' | 'standalone')[];

/** The process's resident memory now (VmRSS), in MiB. */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

/** The supervisor and every app it runs, by name, found through their command lines. */
function productProcesses(): Map<string, number> {
  const found = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((arg) => arg.endsWith('scripts/supervise.mjs'))) found.set('supervisor', Number(entry));
      const bundle = args.find((arg) => arg.startsWith(join(ROOT, 'apps')) && arg.endsWith('/dist/main.mjs'));
      if (bundle)
        found.set(bundle.slice(join(ROOT, 'apps').length + 1, -'/dist/main.mjs'.length), Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function measure(mode: 'services' | 'standalone', redis: Redis, redisPid: number) {
  const home = mkdtempSync(join(tmpdir(), 'footprint-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, LOG_LEVEL: 'warn' };
  for (const name of [
    'BUCKET_EVENTS_CONFIG',
    'MINIO_CONFIG_FILE',
    'BUCKET_EVENTS_METRICS_PORT',
    'NODE_OPTIONS',
  ])
    delete env[name];
  const started: ChildProcess = spawn(
    'bash',
    ['scripts/start', ...(mode === 'standalone' ? ['--standalone'] : [])],
    {
      cwd: ROOT,
      env,
      stdio: 'ignore',
    },
  );
  const driver = createS3Driver({ endpoint: '127.0.0.1:9000', maxSockets: 16 });
  const listBefore = await redis.llen('bucketevents');
  try {
    const readyz =
      mode === 'standalone'
        ? [DEFAULT_METRICS_PORTS.ingest]
        : [DEFAULT_METRICS_PORTS.ingest, DEFAULT_METRICS_PORTS.router, DEFAULT_METRICS_PORTS.redis];
    for (const port of readyz)
      await eventually(
        async () =>
          (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ? true : undefined,
        { what: `:${port} ready`, timeoutMs: 180_000, intervalMs: 200 },
      );
    await pause(idleSeconds * 1000);
    const processes = productProcesses();
    const idle: Record<string, number> = {};
    for (const [name, pid] of processes) idle[name] = rssMiB(pid);
    idle.redis = rssMiB(redisPid);

    const bucket = `footprint-${mode}`;
    await driver.send('PUT', `/${bucket}`);
    const rule =
      '<NotificationConfiguration><QueueConfiguration><Queue>arn:minio:sqs:us-east-1:1:redis</Queue>' +
      '<Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>';
    await driver.send('PUT', `/${bucket}?notification=`, Buffer.from(rule));
    const body = Buffer.alloc(size, 'x');
    const total = rate * loadSeconds;
    const start = performance.now();
    const inFlight: Promise<number>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 1) await pause(wait);
      inFlight.push(
        driver.send('PUT', `/${bucket}/k${i % 1000}.jpg`, body).then(
          (answer) => answer.status,
          () => 0,
        ),
      );
    }
    const statuses = await Promise.all(inFlight);
    const acknowledged = statuses.filter((status) => status === 200).length;
    if (acknowledged < total) console.error(`${mode}: ${total - acknowledged} of ${total} PUTs failed`);
    await eventually(
      async () => ((await redis.llen('bucketevents')) >= listBefore + acknowledged ? true : undefined),
      { what: 'every event in the list', timeoutMs: 120_000, intervalMs: 200 },
    );
    const peak: Record<string, number> = {};
    for (const [name, pid] of processes) peak[name] = peakRssMiB(pid);
    peak.redis = peakRssMiB(redisPid);
    return { idle, peak };
  } finally {
    driver.close();
    const exited = new Promise((resolve) => started.once('exit', resolve));
    started.kill('SIGTERM');
    await exited;
    await redis.ltrim('bucketevents', 0, listBefore - 1);
    rmSync(home, { recursive: true, force: true });
  }
}

async function main() {
  const redis = new Redis(loadServiceEndpoints().redisUrl);
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  const results: Record<string, { idle: Record<string, number>; peak: Record<string, number> }> = {};
  try {
    for (const mode of modes) results[mode] = await measure(mode, redis, redisPid);
  } finally {
    redis.disconnect();
  }
  const sum = (row: Record<string, number>) => Object.values(row).reduce((a, b) => a + b, 0);
  console.log(
    `\nFootprint of the default start — ${cpus().length} cores, ${Math.round(totalmem() / 1024 ** 3)} GiB, ${new Date().toISOString()}`,
  );
  console.log(
    `idle: ${idleSeconds} s after ready; load: ${rate} PUT/s × ${loadSeconds} s, ${size} B objects, rule → Redis target`,
  );
  for (const [mode, { idle, peak }] of Object.entries(results)) {
    console.log(`\n${mode}:`);
    console.log('  process               idle RSS (MiB)   peak RSS under load (MiB)');
    for (const name of Object.keys(idle))
      console.log(`  ${name.padEnd(22)}${String(idle[name]).padStart(14)}${String(peak[name]).padStart(28)}`);
    console.log(`  ${'in all'.padEnd(22)}${String(sum(idle)).padStart(14)}${String(sum(peak)).padStart(28)}`);
  }
  console.log(
    JSON.stringify({ date: new Date().toISOString(), idleSeconds, rate, loadSeconds, size, results }),
  );
}

await main();
