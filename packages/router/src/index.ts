// Public surface of @bucket-events/router: pure operators, no sockets.
export { buildEventRecord, type EnrichOptions } from './enrich.ts';
export {
  batchJobs,
  type FanoutEvent,
  type FanoutJob,
  type FanoutPlan,
  type PlaceEvent,
  planFanout,
} from './fanout.ts';
export {
  type BatchDelivery,
  type RoutedBatch,
  type RouterOptions,
  type RouterPorts,
  routeBatches,
} from './pipeline.ts';
export { type CompiledRule, compileRules, matchTargets } from './rules.ts';
export { filterPattern, matchSimple } from './wildcard.ts';
