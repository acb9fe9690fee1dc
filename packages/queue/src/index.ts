// Public surface of @bucket-events/queue.

export { JobAdder, type PlainJob, type PlainJobOptions } from './add-job.ts';
export { countQueuedUnits, type QueuedUnits } from './count-units.ts';
export { type HeldJob, OrderedConsumer, type OrderedConsumerOptions } from './ordered-consumer.ts';
export { type ScriptCall, scriptCommand } from './redis-script.ts';
