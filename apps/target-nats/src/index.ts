// Public surface of the NATS target (for tests of other packages).
export { NatsSink, type NatsSinkOptions, natsMessageId } from './sink.ts';
