// Public surface of the AMQP target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { OptionsOf } from '@bucket-events/config';
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { options } from './options.ts';
import { AmqpSink } from './sink.ts';

export { type AmqpOptions, options } from './options.ts';
export { AmqpSink, type AmqpSinkOptions, amqpMessageId } from './sink.ts';

export const targetApp: TargetAppDefinition<OptionsOf<typeof options>> = {
  kind: 'amqp',
  options,
  createSink: (target) => new AmqpSink(target.options),
};
