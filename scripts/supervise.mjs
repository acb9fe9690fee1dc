// Runs every app of the product side by side from its production bundle, as
// `bash scripts/start` does: one line-prefixed log, and a process that exits on
// its own — crashed, killed, or ended by a bug — is started again two seconds
// later, loudly, while the others keep running, so one failing process never
// takes the S3 API down with it. SIGINT or SIGTERM stops every process for
// good (each drains first; SIGKILL after 30 s).
//
// Hand-written because the ready-made runners get this exact case wrong:
// concurrently 9 restarts the processes it has just stopped on SIGTERM, and
// turbo's persistent tasks stop everything when one fails.
//
//   node scripts/supervise.mjs               every app under apps/ with a start script, but a
//                                            target app only if the configuration enables a
//                                            target of its kind (no idle processes), and not
//                                            the standalone app
//   node scripts/supervise.mjs --standalone  the standalone app alone: ingest, the router and
//                                            the enabled targets in one process
//   node scripts/supervise.mjs ingest …      only these
//
// Bundles run without --enable-source-maps: loading a bundle's source map costs
// each process ~30 MiB for good. NODE_OPTIONS=--enable-source-maps turns it on
// (stack traces then name the TypeScript sources).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = new URL('..', import.meta.url).pathname;
const RESTART_AFTER_MS = 2000;
/** Every part in one process: started only when asked for (it would take the others' ports). */
const STANDALONE = 'standalone';
const STOP_TIMEOUT_MS = 30_000;

const hasStartScript = (dir) => {
  const manifest = join(ROOT, 'apps', dir, 'package.json');
  return existsSync(manifest) && Boolean(JSON.parse(readFileSync(manifest, 'utf8')).scripts?.start);
};
/**
 * The target kinds the configuration enables, as the router's bundle reads it (the same file and
 * environment every app reads); undefined when it cannot say (a broken configuration: then every
 * app starts, and each reports the problem).
 */
function enabledTargetKinds() {
  try {
    const out = execFileSync(
      process.execPath,
      [join(ROOT, 'apps', 'router', 'dist', 'main.mjs'), '--enabled-target-kinds'],
      { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return new Set(JSON.parse(out.trim().split('\n').at(-1) ?? '[]'));
  } catch {
    return undefined;
  }
}

const everyApp = () => {
  const all = readdirSync(join(ROOT, 'apps'))
    .filter((name) => name !== STANDALONE && hasStartScript(name))
    .sort();
  const kinds = enabledTargetKinds();
  if (!kinds) return all;
  const idle = all.filter((name) => name.startsWith('target-') && !kinds.has(name.slice('target-'.length)));
  if (idle.length > 0)
    process.stdout.write(`[supervisor] not started, no enabled target of their kind: ${idle.join(' ')}\n`);
  return all.filter((name) => !idle.includes(name));
};
const args = process.argv.slice(2);
const apps = args.includes('--standalone') ? [STANDALONE] : args.length > 0 ? args : everyApp();
const width = Math.max('supervisor'.length, ...apps.map((name) => name.length));
const children = new Map();
let stopping = false;

const say = (name, line) => process.stdout.write(`[${name.padEnd(width)}] ${line}\n`);

function start(name) {
  const bundle = join(ROOT, 'apps', name, 'dist', 'main.mjs');
  const child = spawn(process.execPath, [bundle], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      say(name, line),
    );
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) {
      if (children.size === 0) process.exit(0);
      return;
    }
    say(
      'supervisor',
      `${name} exited (${signal ?? `code ${code}`}); restarting it in ${RESTART_AFTER_MS / 1000} s, the others keep running`,
    );
    setTimeout(() => !stopping && start(name), RESTART_AFTER_MS);
  });
}

function stop(signal) {
  if (stopping) return;
  stopping = true;
  if (children.size === 0) process.exit(0);
  for (const child of children.values()) child.kill(signal);
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(1);
  }, STOP_TIMEOUT_MS).unref();
}

process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
for (const name of apps) start(name);
