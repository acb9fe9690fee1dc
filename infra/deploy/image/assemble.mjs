// Writes what the image ships into one folder: each app's bundle, the packages
// those bundles load at run time (external to the bundle: native addons, and
// Chart.js, which the status page serves as a file) with their dependencies,
// and bin/entrypoint. Nothing else: no sources, no dev dependencies, no pnpm.
//
//   node infra/deploy/image/assemble.mjs OUT
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
/** Loaded by the bundles at run time (scripts/build-app.mjs keeps them external, or they read files). */
const RUNTIME_PACKAGES = ['better-sqlite3', '@node-rs/crc32', 'chart.js'];

const out = process.argv[2];
if (!out) throw new Error('usage: node infra/deploy/image/assemble.mjs OUT');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'bin'), { recursive: true });
cpSync(join(ROOT, 'infra/deploy/image/entrypoint'), join(out, 'bin/entrypoint'));

/** Needed to install a package, never to run it. */
const INSTALL_ONLY = new Set(['prebuild-install', 'node-gyp']);

/** The folder of `name` as seen from `fromDir` (pnpm links resolved), or undefined when absent. */
function packageDir(name, fromDir) {
  let entry;
  try {
    entry = realpathSync(createRequire(join(fromDir, 'noop.js')).resolve(name));
  } catch {
    return undefined; // an optional dependency for another platform
  }
  // From the entry point up to the package's own manifest (exports maps may hide package.json).
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) return dir;
  }
  return undefined;
}

/** What a package needs at run time: a native addon keeps its compiled .node files, not its sources. */
function runtimeFile(dir, source) {
  const path = source.slice(dir.length);
  if (path.includes('/node_modules')) return false;
  if (!existsSync(join(dir, 'binding.gyp'))) return true;
  if (/^\/(deps|src)(\/|$)/.test(path)) return false;
  if (path.startsWith('/build/'))
    return path === '/build/Release' || /^\/build\/Release\/[^/]+\.node$/.test(path);
  return true;
}

const copied = new Set();
function copyPackage(name, fromDir) {
  if (copied.has(name) || INSTALL_ONLY.has(name)) return;
  const dir = packageDir(name, fromDir);
  if (!dir) return;
  copied.add(name);
  cpSync(dir, join(out, 'node_modules', name), {
    recursive: true,
    dereference: true,
    filter: (source) => runtimeFile(dir, source),
  });
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }))
    copyPackage(dependency, dir);
}

for (const app of readdirSync(join(ROOT, 'apps'))) {
  const appDir = join(ROOT, 'apps', app);
  const manifest = join(appDir, 'package.json');
  if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, 'utf8')).scripts?.start) continue;
  if (!existsSync(join(appDir, 'dist/main.mjs')))
    throw new Error(`${app}: dist/main.mjs missing — build first`);
  cpSync(join(appDir, 'dist'), join(out, 'apps', app, 'dist'), { recursive: true });
  for (const name of RUNTIME_PACKAGES) copyPackage(name, appDir);
}
console.log(
  `[image] ${out}: ${readdirSync(join(out, 'apps')).join(', ')}; runtime packages: ${[...copied].join(', ')}`,
);
