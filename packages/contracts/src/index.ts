// Public surface of @bucket-events/contracts.
export {
  CONFIGURABLE_EVENT_NAMES,
  EMITTED_EVENT_NAMES,
  type EmittedEventName,
  eventNameMatches,
  isConfigurableEventName,
  wantsAccessEvents,
} from './event-names.ts';
export {
  type BrokerMessage,
  brokerMessage,
  DEFAULT_EVENT_SOURCE,
  type EventRecord,
  eventRecordSchema,
  queryEscape,
  storeDocument,
} from './event-record.ts';
export {
  formatSequencer,
  MUTATION_BATCH_SCHEMA_VERSION,
  MUTATION_SCHEMA_VERSION,
  type MutationBatch,
  type MutationRecord,
  mutationBatchJobId,
  mutationBatchSchema,
  mutationRecordSchema,
  parseMutationJob,
  parseMutationRecord,
  sequencerSchema,
} from './mutation.ts';
export {
  EMPTY_NOTIFICATION_CONFIGURATION,
  type FilterRule,
  filterRuleSchema,
  type NotificationConfiguration,
  notificationConfigurationSchema,
  type QueueConfiguration,
  queueConfigurationSchema,
} from './notification-config.ts';
export {
  EVENT_COUNT_NAME_PREFIX,
  parseTargetJob,
  parseTargetJobs,
  TARGET_BATCH_SCHEMA_VERSION,
  TARGET_JOB_SCHEMA_VERSION,
  type TargetBatch,
  type TargetJob,
  targetBatchJobName,
  targetBatchSchema,
  targetJobId,
  targetJobSchema,
} from './target-job.ts';
export type { TargetState, TargetStatus } from './target-status.ts';
export {
  COMPLETED_JOB_RETENTION,
  DEFAULT_METRICS_PORTS,
  DEFAULT_REGION,
  deadLetterQueueName,
  isTargetKind,
  liveMutationsChannel,
  MUTATIONS_QUEUE,
  notificationConfigKey,
  type ParsedArn,
  type ProcessName,
  parseArn,
  type RouterHeartbeat,
  routerHeartbeatKey,
  TARGET_KINDS,
  type TargetId,
  type TargetKind,
  targetArn,
  targetQueueName,
} from './targets.ts';
