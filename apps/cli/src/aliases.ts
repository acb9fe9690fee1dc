// Aliases, as mc keeps them: a JSON file in the user's home naming each server
// (URL and keys). `local` (http://127.0.0.1:9000, MINIO_ROOT_USER/PASSWORD or
// minioadmin) exists until the user overrides it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Alias {
  url: string;
  accessKey: string;
  secretKey: string;
  api: 's3v4';
  path: 'auto';
}

interface AliasFile {
  version: '10';
  aliases: Record<string, Alias>;
}

/** `$BUCKET_EVENTS_CLI_CONFIG_DIR/config.json`, by default `~/.bucket-events/cli/config.json`. */
export function aliasFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.BUCKET_EVENTS_CLI_CONFIG_DIR ?? join(homedir(), '.bucket-events', 'cli'), 'config.json');
}

function defaults(env: NodeJS.ProcessEnv): Record<string, Alias> {
  return {
    local: {
      url: 'http://127.0.0.1:9000',
      accessKey: env.MINIO_ROOT_USER ?? 'minioadmin',
      secretKey: env.MINIO_ROOT_PASSWORD ?? 'minioadmin',
      api: 's3v4',
      path: 'auto',
    },
  };
}

function readFile(path: string): AliasFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as AliasFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: '10', aliases: {} };
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
}

export function listAliases(env: NodeJS.ProcessEnv = process.env): Record<string, Alias> {
  return { ...defaults(env), ...readFile(aliasFilePath(env)).aliases };
}

export function getAlias(name: string, env: NodeJS.ProcessEnv = process.env): Alias {
  const alias = listAliases(env)[name];
  if (!alias)
    throw new Error(`no alias "${name}"; add it with \`alias set ${name} URL ACCESS_KEY SECRET_KEY\``);
  return alias;
}

export function setAlias(name: string, alias: Omit<Alias, 'api' | 'path'>, env = process.env): void {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) throw new Error(`invalid alias name "${name}"`);
  const url = new URL(alias.url); // throws on a malformed URL
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error('the URL must be http:// or https://');
  const path = aliasFilePath(env);
  const file = readFile(path);
  file.aliases[name] = { ...alias, url: alias.url.replace(/\/+$/, ''), api: 's3v4', path: 'auto' };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
}

export function removeAlias(name: string, env = process.env): boolean {
  const path = aliasFilePath(env);
  const file = readFile(path);
  if (!(name in file.aliases)) return false;
  delete file.aliases[name];
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return true;
}
