// Public surface of the Kafka target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { OptionsOf } from '@bucket-events/config';
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { options } from './options.ts';
import { KafkaSink } from './sink.ts';

export { type KafkaOptions, options } from './options.ts';
export { KafkaSink, type KafkaSinkOptions } from './sink.ts';

export const targetApp: TargetAppDefinition<OptionsOf<typeof options>> = {
  kind: 'kafka',
  options,
  createSink: (target) => new KafkaSink(target.options),
};
