// The whole product as it runs in production: ingest, router and the target
// apps as separate processes from their built bundles (`dist/main.mjs`), sharing
// one configuration file, one Redis and one BullMQ prefix — or all of them as
// one standalone process (apps/standalone). Logs go to
// `.cache/e2e-logs/<run>/<process>.log` for when a test fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { appName, type ProcessName, type TargetKind } from '@bucket-events/contracts';
import { createRedis, deploymentPrefix } from '@bucket-events/queue';
import { forgetPrefix, freePort, uniqueName } from '@bucket-events/testing/services';

const ROOT = new URL('../../', import.meta.url).pathname;

export const ROOT_USER = 'minioadmin';
export const ROOT_PASSWORD = 'minioadmin';

export type Part = ProcessName;

export interface StackOptions {
  /** The config.json document (MinIO's shape: target blocks under `notify` or at the top level). */
  config: object;
  /** Target apps to run. */
  targets: TargetKind[];
  /** Processes of a target app (default 1 each): they share the target's partitions. */
  replicas?: Partial<Record<TargetKind, number>>;
  redisUrl: string;
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** Serve /metrics, /healthz and /readyz from every process, each on a free port (default: none). */
  metrics?: boolean;
  /**
   * Run ingest, the router and the apps of the configuration's target kinds as one standalone
   * process (apps/standalone), as `bash scripts/start --standalone` does: every part names it.
   */
  standalone?: boolean;
}

export interface Stack {
  endpoint: string;
  /** The status page. */
  consoleUrl: string;
  s3: S3Client;
  prefix: string;
  logDir: string;
  /**
   * Signals one process (ingest, router or a target app; SIGKILL by default) and waits until it is
   * gone. `replica`: which process of a scaled target app (0 = the first).
   */
  kill(part: Part, signal?: NodeJS.Signals, replica?: number): Promise<void>;
  /** Each running part's /metrics port (its first process), when the stack was started with `metrics`. */
  metricsPorts: Partial<Record<Part, number>>;
  /** The process id of a running part (for memory readings). */
  pid(part: Part, replica?: number): number | undefined;
  /** Starts a killed process again, as it was (same port, data, environment); ingest: until it answers. */
  relaunch(part: Part, replica?: number): Promise<void>;
  /** Starts one more process of a target app; returns its replica number. */
  addReplica(part: TargetKind): number;
  /** The last `lines` warnings and errors a part logged, one line each (for a failing test's report). */
  logTail(part: Part, lines: number, replica?: number): string;
  /** Stops everything (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** pino's JSON lines at warn (40) and above, as `time level msg: err`. */
function warningsOf(log: string, lines: number): string {
  const warnings: string[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) {
      if (line.trim()) warnings.push(line);
      continue;
    }
    try {
      const entry = JSON.parse(line) as { level?: number; time?: number; msg?: string; err?: unknown };
      if ((entry.level ?? 0) < 40) continue;
      const err = entry.err === undefined ? '' : `: ${JSON.stringify(entry.err).slice(0, 300)}`;
      warnings.push(`${new Date(entry.time ?? 0).toISOString()} ${entry.level} ${entry.msg ?? ''}${err}`);
    } catch {
      warnings.push(line);
    }
  }
  return warnings.slice(-lines).join('\n');
}

async function waitForHttp(url: string, child: ChildProcess, name: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    const answered = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not answer at ${url} within ${timeoutMs} ms`);
}

/** Removes a stopped stack's queues from the shared Redis: completed jobs are kept an hour otherwise. */
async function forgetStackKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = createRedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await forgetPrefix(redis, `${prefix}:`);
  } finally {
    redis.disconnect();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const run = uniqueName('stack');
  const logDir = join(ROOT, '.cache', 'e2e-logs', run);
  mkdirSync(logDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'bucket-events-e2e-'));
  const configPath = join(workDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(options.config, null, 2));
  // On a Redis Cluster the processes make it a hash tag (`{e2e-…}`); every key below starts with it.
  const prefix = deploymentPrefix(options.redisUrl, `e2e-${run}`);
  const port = await freePort();
  const consolePort = await freePort();
  const baseEnv = {
    ...process.env,
    REDIS_URL: options.redisUrl,
    BUCKET_EVENTS_QUEUE_PREFIX: prefix,
    BUCKET_EVENTS_CONFIG: configPath,
    MINIO_ROOT_USER: ROOT_USER,
    MINIO_ROOT_PASSWORD: ROOT_PASSWORD,
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const standalone = options.standalone ?? false;
  if (standalone && Object.values(options.replicas ?? {}).some((count) => (count ?? 1) > 1))
    throw new Error('a standalone stack is one process: it has no replicas');
  /** By process name: the part, or `<part>-<n>` for a target app's n-th extra process. */
  const running = new Map<string, { part: Part; child: ChildProcess; env: Record<string, string> }>();
  const processName = (part: Part, replica = 0) =>
    standalone ? 'standalone' : replica === 0 ? part : `${part}-${replica}`;
  const replicaCount = new Map<Part, number>();
  const metricsPorts: Partial<Record<Part, number>> = {};
  // Several stacks run side by side: no process takes a default port.
  const metricsPortOf = async (part: Part) => {
    if (!options.metrics) return '0';
    metricsPorts[part] = await freePort();
    return String(metricsPorts[part]);
  };
  const launch = (part: Part, env: Record<string, string> = {}, replica = 0) => {
    const name = processName(part, replica);
    replicaCount.set(part, Math.max(replicaCount.get(part) ?? 0, replica + 1));
    const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    // STACK_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) go to every process: for profiling.
    const flags = process.env.STACK_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...flags, '--enable-source-maps', 'dist/main.mjs'], {
      cwd: join(ROOT, standalone ? 'apps/standalone' : join('apps', appName(part))),
      env: { ...baseEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    running.set(name, { part, child, env });
    return child;
  };
  const stop = async () => {
    // The latest process of each part (a killed one is already gone).
    await Promise.all([...running.values()].map(({ child }) => stopChild(child)));
    rmSync(workDir, { recursive: true, force: true });
    await forgetStackKeys(options.redisUrl, prefix).catch(() => {});
  };
  try {
    const ingest = launch('ingest', {
      MINIO_ADDRESS: `127.0.0.1:${port}`,
      BUCKET_EVENTS_DATA_DIR: join(workDir, 'data'),
      BUCKET_EVENTS_FSYNC: options.env?.BUCKET_EVENTS_FSYNC ?? 'false',
      BUCKET_EVENTS_CONSOLE_ADDRESS: `127.0.0.1:${consolePort}`,
      BUCKET_EVENTS_METRICS_PORT: await metricsPortOf('ingest'),
    });
    if (standalone) {
      for (const part of ['router', ...options.targets] as Part[]) metricsPorts[part] = metricsPorts.ingest;
    } else {
      launch('router', { BUCKET_EVENTS_METRICS_PORT: await metricsPortOf('router') });
      for (const kind of options.targets) {
        launch(kind, { BUCKET_EVENTS_METRICS_PORT: await metricsPortOf(kind) });
        for (let replica = 1; replica < (options.replicas?.[kind] ?? 1); replica++)
          launch(kind, { BUCKET_EVENTS_METRICS_PORT: '0' }, replica);
      }
    }
    const endpoint = `http://127.0.0.1:${port}`;
    await waitForHttp(endpoint, ingest, 'ingest');
    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD },
    });
    return {
      pid: (part, replica) => running.get(processName(part, replica))?.child.pid,
      metricsPorts,
      async kill(part, signal = 'SIGKILL', replica = 0) {
        const child = running.get(processName(part, replica))?.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill(signal);
        await exited;
      },
      async relaunch(part, replica = 0) {
        const previous = running.get(processName(part, replica));
        if (!previous) throw new Error(`${processName(part, replica)} was never started`);
        const child = launch(previous.part, previous.env, replica);
        if (previous.part === 'ingest') await waitForHttp(endpoint, child, 'ingest');
      },
      addReplica(part) {
        if (standalone) throw new Error('a standalone stack is one process: it has no replicas');
        const replica = replicaCount.get(part) ?? 0;
        launch(part, { BUCKET_EVENTS_METRICS_PORT: '0' }, replica);
        return replica;
      },
      logTail(part, lines, replica = 0) {
        return warningsOf(readFileSync(join(logDir, `${processName(part, replica)}.log`), 'utf8'), lines);
      },
      endpoint,
      consoleUrl: `http://127.0.0.1:${consolePort}/`,
      s3,
      prefix,
      logDir,
      async stop() {
        s3.destroy();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
