// `ALIAS/BUCKET/KEY` or a local path: the first segment names an alias when one
// by that name exists (mc's rule), otherwise the argument is a local path.
import { type Alias, listAliases } from './aliases.ts';

export interface RemoteLocation {
  remote: true;
  aliasName: string;
  alias: Alias;
  bucket: string;
  key: string;
  /** As the user wrote it, for messages. */
  text: string;
}

export interface LocalLocation {
  remote: false;
  path: string;
  text: string;
}

export type Location = RemoteLocation | LocalLocation;

export function parseLocation(text: string, env: NodeJS.ProcessEnv = process.env): Location {
  const [first = '', ...rest] = text.split('/');
  const alias = listAliases(env)[first];
  if (!alias) return { remote: false, path: text, text };
  const [bucket = '', ...key] = rest;
  return {
    remote: true,
    aliasName: first,
    alias,
    bucket,
    key: key.join('/'),
    text: text.replace(/\/+$/, ''),
  };
}

/** A remote location, or a clear error naming what was expected. */
export function remote(text: string, need: 'alias' | 'bucket' | 'object', env = process.env): RemoteLocation {
  const location = parseLocation(text, env);
  if (!location.remote) throw new Error(`"${text}" does not start with a known alias`);
  if (need !== 'alias' && location.bucket === '') throw new Error(`"${text}" names no bucket (ALIAS/BUCKET)`);
  if (need === 'object' && location.key === '')
    throw new Error(`"${text}" names no object (ALIAS/BUCKET/KEY)`);
  return location;
}
