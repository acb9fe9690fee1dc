// Starts the router as its own process (as in production), so tests can SIGKILL it.
import { type ChildProcess, spawn } from 'node:child_process';

export function spawnRouter(options: {
  redisUrl: string;
  prefix: string;
  configPath: string;
  extraEnv?: Record<string, string>;
}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: {
      ...process.env,
      REDIS_URL: options.redisUrl,
      BUCKET_EVENTS_QUEUE_PREFIX: options.prefix,
      BUCKET_EVENTS_CONFIG: options.configPath,
      ROUTER_LOCK_MS: '1500',
      LOG_LEVEL: 'warn',
      ...options.extraEnv,
    },
    stdio: 'ignore',
  });
}
