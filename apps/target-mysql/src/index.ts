// Public surface of the MySQL target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { OptionsOf } from '@bucket-events/config';
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { options } from './options.ts';
import { MysqlSink } from './sink.ts';

export { type MysqlOptions, options } from './options.ts';
export { MysqlSink, type MysqlSinkOptions, sequencerTable } from './sink.ts';

export const targetApp: TargetAppDefinition<OptionsOf<typeof options>> = {
  kind: 'mysql',
  options,
  createSink: (target) => new MysqlSink(target.options),
};
