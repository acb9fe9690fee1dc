// What the kit does after a sink.write(): the decision alone, as a pure
// function, so every case is unit-tested apart from queues and timers
// (run-target.ts carries it out).
import type { ErrorClass, TargetError } from './errors.ts';
import type { BatchFailures } from './sink.ts';

/** How a write ended: the sink's per-event failures, or an error for the whole batch and its class. */
export type WriteOutcome =
  | { ok: true; failures?: BatchFailures }
  | { ok: false; error: unknown; classification: ErrorClass };

export type WriteDecision =
  /** The target answered: each event is delivered, dead-lettered (rejected) or retried in its lane. */
  | {
      kind: 'answered';
      delivered: number[];
      deadLettered: { index: number; error: TargetError }[];
      retried: { index: number; error: TargetError }[];
    }
  /** A one-event batch the target can never take: dead-letter it. */
  | { kind: 'dead-letter-it' }
  /** Some event spoiled a batch (fatal for the whole): write each alone to find it. */
  | { kind: 'write-each-alone' }
  /** The target is unwell: pause it, retry every event, and reconnect first when the class says so. */
  | { kind: 'target-unwell'; classification: Exclude<ErrorClass, 'fatal'>; reconnect: boolean };

export function decideAfterWrite(batchLength: number, outcome: WriteOutcome): WriteDecision {
  if (!outcome.ok) {
    if (outcome.classification === 'fatal')
      return batchLength === 1 ? { kind: 'dead-letter-it' } : { kind: 'write-each-alone' };
    return {
      kind: 'target-unwell',
      classification: outcome.classification,
      reconnect: outcome.classification === 'reconnect',
    };
  }
  const decision: Extract<WriteDecision, { kind: 'answered' }> = {
    kind: 'answered',
    delivered: [],
    deadLettered: [],
    retried: [],
  };
  for (let index = 0; index < batchLength; index++) {
    const error = outcome.failures?.get(index);
    if (!error) decision.delivered.push(index);
    else if (error.classification === 'fatal') decision.deadLettered.push({ index, error });
    else decision.retried.push({ index, error });
  }
  return decision;
}

/** Retries after a throttle wait four times as long as after another failure. */
export function retryBackoffFactor(classification: ErrorClass): number {
  return classification === 'throttle' ? 4 : 1;
}
