// The router as an RxJS pipeline: deliveries of raw mutations → rules of the
// version in force at commit → planned fan-out → idempotent enqueue on every
// target queue → the delivery is acknowledged. Mutations of one object key are
// routed strictly one after another, in arrival (= sequencer) order; different
// keys proceed concurrently. Transient failures are retried in place, with
// exponential backoff, so a later mutation of the same key can never overtake.
import type { MutationRecord } from '@bucket-events/contracts';
import {
  defer,
  from,
  map,
  mergeMap,
  Observable,
  type OperatorFunction,
  retry,
  Subscription,
  timer,
} from 'rxjs';
import type { EnrichOptions } from './enrich.ts';
import { type FanoutJob, type FanoutPlan, planFanout } from './fanout.ts';
import type { CompiledRule } from './rules.ts';

export interface MutationDelivery {
  mutation: MutationRecord;
}

export interface RouterPorts {
  /** The compiled rules of a bucket's configuration version (0 = none). May fail transiently. */
  rules(bucket: string, version: number): Observable<CompiledRule[]> | Promise<CompiledRule[]>;
  /** Adds jobs to their queues; idempotent per job id. May fail transiently. */
  enqueue(jobs: FanoutJob[]): Observable<void> | Promise<void>;
}

export interface RouterOptions extends EnrichOptions {
  queueByArn: ReadonlyMap<string, string>;
  /** Most mutations routed at once (across keys). */
  concurrency: number;
  /** First retry delay in ms; doubles up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export interface RoutedMutation<D extends MutationDelivery> {
  delivery: D;
  plan: FanoutPlan;
  /** How many attempts it took (1 = first try). */
  attempts: number;
}

export function routeMutations<D extends MutationDelivery>(
  ports: RouterPorts,
  options: RouterOptions,
): OperatorFunction<D, RoutedMutation<D>> {
  const routeOne = (delivery: D): Observable<RoutedMutation<D>> => {
    let attempts = 0;
    return defer(() => {
      attempts += 1;
      const { mutation } = delivery;
      return from(ports.rules(mutation.bucket, mutation.configVersion)).pipe(
        map((rules) => planFanout(mutation, rules, options.queueByArn, options)),
        mergeMap((plan) =>
          plan.jobs.length === 0 ? [plan] : from(ports.enqueue(plan.jobs)).pipe(map(() => plan)),
        ),
      );
    }).pipe(
      retry({
        delay: (_error, retryCount) =>
          timer(Math.min(options.retryDelayMs * 2 ** (retryCount - 1), options.maxRetryDelayMs)),
      }),
      map((plan) => ({ delivery, plan, attempts })),
    );
  };
  return (source) =>
    source.pipe(inKeyOrder((d) => `${d.mutation.bucket}/${d.mutation.key}`, routeOne, options.concurrency));
}

/**
 * Runs `work` for each item, at most `concurrency` at once, never two items
 * with the same key at once, and for one key in the order the items arrived.
 * Keys take turns for free slots in the order they became ready.
 */
export function inKeyOrder<T, R>(
  keyOf: (item: T) => string,
  work: (item: T) => Observable<R>,
  concurrency: number,
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const pending = new Map<string, T[]>(); // per key: the running item first, then those waiting
      const ready: string[] = []; // keys whose first item waits for a slot
      const subscriptions = new Subscription();
      let running = 0;
      let sourceDone = false;
      const finishIfIdle = () => {
        if (sourceDone && running === 0 && pending.size === 0) subscriber.complete();
      };
      const pump = () => {
        while (running < concurrency && ready.length > 0) {
          const key = ready.shift() as string;
          const item = (pending.get(key) as T[])[0] as T;
          running += 1;
          subscriptions.add(
            work(item).subscribe({
              next: (value) => subscriber.next(value),
              error: (error) => subscriber.error(error),
              complete: () => {
                running -= 1;
                const queue = pending.get(key) as T[];
                queue.shift();
                if (queue.length > 0) ready.push(key);
                else pending.delete(key);
                pump();
                finishIfIdle();
              },
            }),
          );
        }
      };
      subscriptions.add(
        source.subscribe({
          next: (item) => {
            const key = keyOf(item);
            const queue = pending.get(key);
            if (queue) queue.push(item);
            else {
              pending.set(key, [item]);
              ready.push(key);
            }
            pump();
          },
          error: (error) => subscriber.error(error),
          complete: () => {
            sourceDone = true;
            finishIfIdle();
          },
        }),
      );
      return subscriptions;
    });
}
