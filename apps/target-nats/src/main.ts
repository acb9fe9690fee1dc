// The NATS target process: every enabled `nats` target of the configuration.
import { runTargetApp } from '@bucket-events/target-kit';
import { NatsSink } from './sink.ts';

await runTargetApp({ kind: 'nats', createSink: (target) => new NatsSink(target.options) });
