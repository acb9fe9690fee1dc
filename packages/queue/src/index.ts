// Public surface of @bucket-events/queue.

export { type EventsJob, JobAdder, type PlainJob, type PlainJobOptions } from './add-job.ts';
export { countQueuedUnits, type QueuedUnits } from './count-units.ts';
export { openQueue } from './open-queue.ts';
export {
  type HeldJob,
  OrderedConsumer,
  type OrderedConsumerOptions,
  type TakenJob,
} from './ordered-consumer.ts';
export { ROUTE_LAYOUT } from './partition-scripts.ts';
export {
  PartitionedConsumer,
  type PartitionedConsumerOptions,
  type PartitionGroupKeys,
} from './partitioned-consumer.ts';
export {
  bullConnection,
  type ClusterAddress,
  clusterMasterOf,
  createRedis,
  deploymentPrefix,
  isClusterUrl,
  isSentinelUrl,
  parseClusterUrl,
  parseSentinelUrl,
  type SentinelAddress,
} from './redis-connection.ts';
export { type ScriptCall, scriptCommand } from './redis-script.ts';
