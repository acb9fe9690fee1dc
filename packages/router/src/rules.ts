// Which targets want a mutation: a bucket's queue configurations are matched
// by event name (leaf or `family:*`) and key pattern; each target gets an event
// once, with the Id of the first configuration that matched it.
import { eventNameMatches, type NotificationConfiguration } from '@bucket-events/contracts';
import { filterPattern, matchSimple } from './wildcard.ts';

export interface CompiledRule {
  id: string;
  arn: string;
  events: string[];
  pattern: string;
}

export function compileRules(config: NotificationConfiguration): CompiledRule[] {
  return config.queueConfigurations.map((queue) => ({
    // A rule the client gave no Id is "Config" in its events, as MinIO writes it.
    id: queue.idGenerated ? '' : queue.id,
    arn: queue.arn,
    events: queue.events,
    pattern: filterPattern(queue.filterRules),
  }));
}

/** ARN → configurationId (the Id the client gave the rule, or "Config" when it gave none). */
export function matchTargets(rules: CompiledRule[], eventName: string, rawKey: string): Map<string, string> {
  const targets = new Map<string, string>();
  for (const rule of rules) {
    if (targets.has(rule.arn)) continue;
    if (!rule.events.some((event) => eventNameMatches(event, eventName))) continue;
    if (!matchSimple(rule.pattern, rawKey)) continue;
    targets.set(rule.arn, rule.id === '' ? 'Config' : rule.id);
  }
  return targets;
}
