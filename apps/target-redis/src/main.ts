// The Redis target process: every enabled `redis` target of the configuration.
import { runTargetApp } from '@bucket-events/target-kit';
import { RedisSink } from './sink.ts';

await runTargetApp({ kind: 'redis', createSink: (target) => new RedisSink(target.options) });
