// Public surface of @bucket-events/queue.
export { type HeldJob, OrderedConsumer, type OrderedConsumerOptions } from './ordered-consumer.ts';
