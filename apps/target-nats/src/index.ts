// Public surface of the NATS target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { OptionsOf } from '@bucket-events/config';
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { options } from './options.ts';
import { NatsSink } from './sink.ts';

export { type NatsOptions, options } from './options.ts';
export { NatsSink, type NatsSinkOptions, natsMessageId } from './sink.ts';

export const targetApp: TargetAppDefinition<OptionsOf<typeof options>> = {
  kind: 'nats',
  options,
  createSink: (target) => new NatsSink(target.options),
};
