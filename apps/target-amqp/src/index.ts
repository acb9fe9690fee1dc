// Public surface of the AMQP target (for tests of other packages).
export { AmqpSink, type AmqpSinkOptions, amqpMessageId } from './sink.ts';
