// Public surface of @bucket-events/router: pure operators, no sockets.
export { buildEventRecord, type EnrichOptions } from './enrich.ts';
export { type FanoutJob, type FanoutPlan, planFanout } from './fanout.ts';
export {
  inKeyOrder,
  type MutationDelivery,
  type RoutedMutation,
  type RouterOptions,
  type RouterPorts,
  routeMutations,
} from './pipeline.ts';
export { type CompiledRule, compileRules, matchTargets } from './rules.ts';
export { filterPattern, matchSimple } from './wildcard.ts';
