// The AMQP process: every enabled `amqp` target of the configuration.
import { runTargetApp } from '@bucket-events/target-kit';
import { AmqpSink } from './sink.ts';

await runTargetApp({ kind: 'amqp', createSink: (target) => new AmqpSink(target.options) });
