// Public surface of the Redis target (for tests of other packages).
export { RedisSink, type RedisSinkOptions, sequencerHashKey } from './sink.ts';
