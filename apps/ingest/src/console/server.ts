// The status page's server (MinIO serves its console on :9001; so does this):
// the page, Chart.js, and /api/status — target statuses, their history and
// their latest dead letters. Read-only, without authentication: it binds to
// loopback unless BUCKET_EVENTS_CONSOLE_ADDRESS says otherwise.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { ConfiguredTarget } from '@bucket-events/config';
import { type DeadLetter, listDeadLetters } from '@bucket-events/target-kit';
import type { StatusHistory } from './history.ts';
import { STATUS_PAGE } from './page.ts';
import type { PipelineStatus } from './pipeline.ts';

export interface ConsoleOptions {
  history: StatusHistory;
  /** Ingest's outbox and the router's leadership: the page's first row. */
  pipeline(): Promise<PipelineStatus>;
  targets: readonly ConfiguredTarget[];
  redisUrl: string;
  queuePrefix: string;
  host: string;
  port: number;
}

/** Dead letters shown per target. */
const LATEST_LETTERS = 20;

function chartScript(): Buffer {
  const entry = createRequire(import.meta.url).resolve('chart.js'); // …/chart.js/dist/chart.cjs
  return readFileSync(join(dirname(entry), 'chart.umd.min.js'));
}

export async function startConsole(options: ConsoleOptions): Promise<{ server: Server; port: number }> {
  const script = chartScript();
  const deadLetters = async () => {
    const out: Record<string, DeadLetter[]> = {};
    for (const status of options.history.snapshot().targets) {
      if (status.deadLettered === 0) continue;
      const target = options.targets.find((t) => t.arn === status.arn);
      if (!target) continue;
      const letters = await listDeadLetters({
        target,
        prefix: options.queuePrefix,
        redisUrl: options.redisUrl,
      });
      out[status.arn] = letters.slice(0, LATEST_LETTERS).map((letter) => ({ ...letter, job: undefined }));
    }
    return out;
  };
  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET') {
        res.writeHead(405).end();
      } else if (req.url === '/' || req.url === '/index.html') {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' })
          .end(STATUS_PAGE);
      } else if (req.url === '/assets/chart.umd.min.js') {
        res
          .writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' })
          .end(script);
      } else if (req.url === '/api/status') {
        const [letters, pipeline] = await Promise.all([deadLetters(), options.pipeline()]);
        const body = JSON.stringify({ ...options.history.snapshot(), pipeline, deadLetters: letters });
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' }).end(body);
      } else {
        res.writeHead(404).end();
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
