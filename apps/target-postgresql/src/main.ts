// The PostgreSQL target process: every enabled `postgresql` target of the configuration.
import { runTargetApp } from '@bucket-events/target-kit';
import { PostgresSink } from './sink.ts';

await runTargetApp({ kind: 'postgresql', createSink: (target) => new PostgresSink(target.options) });
