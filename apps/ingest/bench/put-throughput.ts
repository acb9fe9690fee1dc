// Benchmark (not a test): PUT throughput of a real ingest process and its
// memory while streaming a large object. Drives the S3 API over loopback with
// N concurrent keep-alive clients signing each request (UNSIGNED-PAYLOAD), for
// a fixed duration, then uploads one large object. Prints a table and JSON.
//
// Runs the production bundle (dist/main.mjs, built by the bench script).
//   pnpm --filter @bucket-events/ingest bench [-- --clients 32 --seconds 20 --size 4096 --big-mib 1024 --fsync true]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createS3Driver } from '@bucket-events/testing/s3-driver';
import { forgetPrefix } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    clients: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '20' },
    size: { type: 'string', default: '4096' },
    'big-mib': { type: 'string', default: '1024' },
    // A multipart upload as mc sends it (minio-go over HTTP): parts of 16 MiB, 4 at once, each
    // streaming-signed in 64 KiB chunks. 0 skips it.
    'streaming-mib': { type: 'string', default: '1024' },
    fsync: { type: 'string', default: 'true' },
    port: { type: 'string', default: '9310' },
    'metrics-port': { type: 'string', default: '9311' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const size = Number(values.size);
const bigBytes = Number(values['big-mib']) * 1024 * 1024;
const port = Number(values.port);
const endpoint = `127.0.0.1:${port}`;
const driver = createS3Driver({ endpoint, maxSockets: clients });
const send = (method: string, path: string, body: Buffer | Readable | undefined, length: number) =>
  driver.send(method, path, body, length).then((answer) => answer.status);

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function currentRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const queuePrefix = `bench${Date.now()}`;
  // BENCH_SERVER_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) go to the server process only.
  const serverFlags = process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const server = spawn(process.execPath, [...serverFlags, 'dist/main.mjs'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: {
      ...process.env,
      MINIO_ADDRESS: endpoint,
      BUCKET_EVENTS_DATA_DIR: dataDir,
      BUCKET_EVENTS_QUEUE_PREFIX: queuePrefix,
      BUCKET_EVENTS_FSYNC: values.fsync,
      REDIS_URL: values['redis-url'],
      HOME: dataDir,
      LOG_LEVEL: 'warn',
      BUCKET_EVENTS_METRICS_PORT: values['metrics-port'],
      BUCKET_EVENTS_CONSOLE_ADDRESS: 'off',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      const up = await send('GET', '/', undefined, 0).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (i > 200) throw new Error('ingest did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await send('PUT', '/bench', undefined, 0);
    const body = Buffer.alloc(size, 'b');
    const latencies: number[] = [];
    let errors = 0;
    const deadline = Date.now() + seconds * 1000;
    let n = 0;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        while (Date.now() < deadline) {
          const key = `/bench/c${client}/obj-${n++}.bin`;
          const started = performance.now();
          const status = await send('PUT', key, body, body.length).catch(() => 0);
          latencies.push(performance.now() - started);
          if (status !== 200) errors++;
        }
      }),
    );
    // What the relay handed to Redis meanwhile, and what it had not yet: its cost shows here
    // (BUCKET_EVENTS_REDIS_DURABILITY, Redis's appendfsync), not in the PUTs, which commit first.
    const relay = await relayReading(values['metrics-port']);
    latencies.sort((a, b) => a - b);
    const smallPhaseRss = peakRssMiB(server.pid as number);

    // One large object, generated on the fly, never held in memory by the client.
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= bigBytes) return this.push(null);
        sent += chunk.length;
        this.push(chunk);
      },
    });
    let bigPeak = 0;
    const sampler = setInterval(() => {
      bigPeak = Math.max(bigPeak, currentRssMiB(server.pid as number));
    }, 50);
    const bigStarted = performance.now();
    const bigStatus = await send('PUT', '/bench/big.bin', source, bigBytes);
    const bigSeconds = (performance.now() - bigStarted) / 1000;
    clearInterval(sampler);

    const streaming = await streamingMultipart(
      Number(values['streaming-mib']) * 1024 * 1024,
      server.pid as number,
    );

    const report = {
      date: new Date().toISOString(),
      machine: `${(await import('node:os')).cpus().length} cores`,
      clients,
      seconds,
      objectBytes: size,
      fsync: values.fsync === 'true',
      puts: latencies.length,
      errors,
      putsPerSecond: Math.round(latencies.length / seconds),
      redisDurability: process.env.BUCKET_EVENTS_REDIS_DURABILITY ?? 'ack',
      relayedPerSecond: Math.round(relay.relayed / seconds),
      outboxRowsLeft: relay.outboxRows,
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
      peakRssMiBSmallPuts: Math.round(smallPhaseRss),
      bigObjectMiB: bigBytes / 1024 / 1024,
      bigObjectStatus: bigStatus,
      bigObjectMiBPerSecond: Math.round(bigBytes / 1024 / 1024 / bigSeconds),
      peakRssMiBDuringBigPut: Math.round(bigPeak),
      streamingMultipart: streaming,
    };
    console.log(`
PUT ${size} B x ${clients} clients for ${seconds}s (fsync ${report.fsync}):
  ${report.putsPerSecond} PUT/s   p50 ${report.p50Ms} ms   p99 ${report.p99Ms} ms   errors ${errors}
  relayed to Redis ${report.relayedPerSecond} records/s, ${report.outboxRowsLeft} left in the outbox (durability ${report.redisDurability})
  peak RSS (whole run so far) ${report.peakRssMiBSmallPuts} MiB
PUT ${report.bigObjectMiB} MiB object: HTTP ${bigStatus}, ${report.bigObjectMiBPerSecond} MiB/s, RSS during upload ≤ ${report.peakRssMiBDuringBigPut} MiB
${
  streaming
    ? `multipart ${streaming.mib} MiB as mc sends it (16 MiB parts, 4 at once, streaming-signed 64 KiB chunks): HTTP ${streaming.status}, ${streaming.mibPerSecond} MiB/s, RSS during upload ≤ ${streaming.peakRssMiB} MiB`
    : ''
}
`);
    console.log(JSON.stringify(report));
  } finally {
    server.kill('SIGTERM');
    driver.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    rmSync(dataDir, { recursive: true, force: true });
    // No router consumes these mutation jobs: left behind, they were ~60 MB in Redis per run.
    const redis = new Redis(values['redis-url']);
    await forgetPrefix(redis, `${queuePrefix}:`).finally(() => redis.disconnect());
  }
}

const PART_BYTES = 16 * 1024 * 1024;
const PARTS_AT_ONCE = 4;

/**
 * One object of `totalBytes` uploaded as minio-go (mc) uploads it over HTTP: CreateMultipartUpload,
 * parts of 16 MiB four at a time, each streaming-signed in 64 KiB chunks, then Complete.
 */
async function streamingMultipart(totalBytes: number, serverPid: number) {
  if (totalBytes <= 0) return undefined;
  const key = '/bench/streamed.bin';
  const created = await driver.fetchText('POST', `${key}?uploads=`);
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)?.[1];
  if (!uploadId) throw new Error(`CreateMultipartUpload answered ${created.status}: ${created.text}`);
  const part = Buffer.alloc(PART_BYTES, 's');
  const count = Math.ceil(totalBytes / PART_BYTES);
  const etags: string[] = [];
  let next = 1;
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, currentRssMiB(serverPid));
  }, 50);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PARTS_AT_ONCE }, async () => {
      while (next <= count) {
        const number = next++;
        const bytes = Math.min(PART_BYTES, totalBytes - (number - 1) * PART_BYTES);
        const answer = await driver.sendStreamingSigned(
          'PUT',
          `${key}?partNumber=${number}&uploadId=${encodeURIComponent(uploadId)}`,
          part.subarray(0, bytes),
        );
        if (answer.status !== 200) throw new Error(`UploadPart ${number} answered ${answer.status}`);
        etags[number - 1] = String(answer.headers.etag);
      }
    }),
  );
  const completion = Buffer.from(
    `<CompleteMultipartUpload>${etags.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
  );
  const partsDone = performance.now();
  const completed = await driver.fetchText(
    'POST',
    `${key}?uploadId=${encodeURIComponent(uploadId)}`,
    completion,
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  return {
    mib: totalBytes / 1024 / 1024,
    status: completed.status,
    mibPerSecond: Math.round(totalBytes / 1024 / 1024 / seconds),
    partsSeconds: Number(((partsDone - started) / 1000).toFixed(2)),
    completeSeconds: Number(((performance.now() - partsDone) / 1000).toFixed(2)),
    peakRssMiB: Math.round(peak),
  };
}

/** Records the relay handed to Redis so far and rows still in the outbox, from ingest's /metrics. */
async function relayReading(metricsPort: string): Promise<{ relayed: number; outboxRows: number }> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    relayed: read('bucket_events_relay_records_total'),
    outboxRows: read('bucket_events_outbox_rows'),
  };
}

await main();
