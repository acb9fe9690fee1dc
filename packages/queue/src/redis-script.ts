// Lua scripts called by their hash (EVALSHA) instead of their text (EVAL), so a
// take, completion or recovery does not send (and Redis does not hash) the
// script's source each time. ioredis's defineCommand sends the hash, and
// resends the source itself when Redis answers NOSCRIPT (after a restart).
import type { Redis } from 'ioredis';

export type ScriptCall = (...args: (string | number | Buffer)[]) => Promise<unknown>;

const defined = new WeakMap<Redis, Set<string>>();

/** The script as a command of this connection (defined once per connection). Arguments: keys, then ARGV. */
export function scriptCommand(redis: Redis, name: string, numberOfKeys: number, lua: string): ScriptCall {
  let names = defined.get(redis);
  if (!names) {
    names = new Set();
    defined.set(redis, names);
  }
  if (!names.has(name)) {
    redis.defineCommand(name, { numberOfKeys, lua });
    names.add(name);
  }
  const command = (redis as unknown as Record<string, ScriptCall>)[name] as ScriptCall;
  return (...args) => command.apply(redis, args);
}
