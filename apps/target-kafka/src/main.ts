// The Kafka target process: every enabled `kafka` target of the configuration.
import { runTargetApp } from '@bucket-events/target-kit';
import { KafkaSink } from './sink.ts';

await runTargetApp({ kind: 'kafka', createSink: (target) => new KafkaSink(target.options) });
