// Public surface of the PostgreSQL target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { OptionsOf } from '@bucket-events/config';
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { options } from './options.ts';
import { PostgresSink } from './sink.ts';

export { options, type PostgresqlOptions } from './options.ts';
export { PostgresSink, type PostgresSinkOptions, sequencerTable } from './sink.ts';

export const targetApp: TargetAppDefinition<OptionsOf<typeof options>> = {
  kind: 'postgresql',
  options,
  createSink: (target) => new PostgresSink(target.options),
};
