// Public surface of @bucket-events/queue.

export { countQueuedUnits, type QueuedUnits } from './count-units.ts';
export { type HeldJob, OrderedConsumer, type OrderedConsumerOptions } from './ordered-consumer.ts';
