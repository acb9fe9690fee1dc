// Public surface of @bucket-events/target-kit.

export {
  type RunningTargetApp,
  runTargetApp,
  startTargetApp,
  type TargetAppDefinition,
  type TargetAppEnv,
} from './app.ts';
export {
  type DeadLetter,
  type DeadLetterScope,
  listDeadLetters,
  purgeDeadLetters,
  redriveDeadLetters,
} from './dead-letters.ts';
export { targetEnvSchema, targetEnvShape } from './env.ts';
export {
  describeError,
  disconnected,
  type ErrorClass,
  fatal,
  retryable,
  TargetError,
  throttled,
} from './errors.ts';
export { backoffDelay, type LaneItem, Lanes } from './lanes.ts';
export { createTargetMetrics, type TargetMetrics } from './metrics.ts';
export { type RunningTarget, type RunTargetOptions, runTarget, type TargetIdentity } from './run-target.ts';
export type { BatchFailures, TargetSink } from './sink.ts';
export {
  heartbeatKey,
  type StatusTarget,
  type TargetHeartbeat,
  TargetStatusReader,
} from './status.ts';
