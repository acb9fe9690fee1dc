// Public surface of the Kafka target (for tests of other packages).
export { KafkaSink, type KafkaSinkOptions } from './sink.ts';
