// Public surface of @bucket-events/queue.

export { countQueuedUnits, type QueuedUnits } from './count-units.ts';
export { type HeldJob, OrderedConsumer, type OrderedConsumerOptions } from './ordered-consumer.ts';
export { type ScriptCall, scriptCommand } from './redis-script.ts';
