// Public surface of the Redis target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { OptionsOf } from '@bucket-events/config';
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { options } from './options.ts';
import { RedisSink } from './sink.ts';

export { options, type RedisOptions } from './options.ts';
export { RedisSink, type RedisSinkOptions, sequencerHashKey } from './sink.ts';

export const targetApp: TargetAppDefinition<OptionsOf<typeof options>> = {
  kind: 'redis',
  options,
  createSink: (target) => new RedisSink(target.options),
};
