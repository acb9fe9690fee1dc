// A Redis server of a test's own (AOF on, on a free port), for a target whose
// server the test stops and starts: the shared Redis is BullMQ's store, which
// the whole pipeline needs.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.ts';

export interface PrivateRedis {
  port: number;
  address: string;
  /** A client that never retries on its own: each use connects, and fails fast while the server is down. */
  client(): Redis;
  start(): Promise<void>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

/** `extraArgs` follow the defaults on redis-server's command line, so they override them. */
export async function privateRedis(options: { extraArgs?: string[] } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'private-redis-'));
  let server: ChildProcess | undefined;
  const client = () => {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 3 });
    redis.on('error', () => {}); // a refused connection surfaces through connect()
    return redis;
  };
  const stop = async () => {
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    // A server still busy with a background rewrite may linger: a test must not hang on it.
    const stubborn = setTimeout(() => server?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(stubborn);
  };
  return {
    port,
    address: `127.0.0.1:${port}`,
    client,
    async start() {
      if (server && server.exitCode === null && server.signalCode === null) return; // running already
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
      server = spawn(
        'redis-server',
        [
          ...args,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
          ...(options.extraArgs ?? []),
        ],
        {
          stdio: 'ignore',
        },
      );
      for (let attempt = 0; attempt < 100; attempt++) {
        const c = client();
        const up = await c.connect().then(
          () => c.ping().then(() => true),
          () => false,
        );
        c.disconnect();
        if (up) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('private redis-server did not start');
    },
    stop,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
