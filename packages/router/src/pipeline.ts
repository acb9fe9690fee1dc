// The router as an RxJS pipeline: batches of raw mutations → rules of the
// version in force at each commit → planned fan-out → one idempotent job per
// target queue → the batch is acknowledged. Batches are routed strictly one
// after another, in arrival (= commit) order, so per-key order holds across
// them; a transient failure is retried in place, with exponential backoff, so
// a later batch can never overtake.
import type { MutationRecord } from '@bucket-events/contracts';
import {
  concatMap,
  defer,
  forkJoin,
  from,
  map,
  mergeMap,
  type Observable,
  type OperatorFunction,
  of,
  retry,
  timer,
} from 'rxjs';
import type { EnrichOptions } from './enrich.ts';
import { batchJobs, type FanoutJob, type FanoutPlan, type PlaceEvent, planFanout } from './fanout.ts';
import type { CompiledRule } from './rules.ts';

export interface BatchDelivery {
  /** The batch's job id: the target jobs made from it carry it too. */
  id: string;
  /** In commit order. */
  mutations: readonly MutationRecord[];
}

export interface RouterPorts {
  /** The compiled rules of a bucket's configuration version (0 = none). May fail transiently. */
  rules(bucket: string, version: number): Observable<CompiledRule[]> | Promise<CompiledRule[]>;
  /** Adds jobs to their queues; idempotent per job id. May fail transiently. */
  enqueue(jobs: FanoutJob[]): Observable<void> | Promise<void>;
  /**
   * Called before each batch is planned, while no other batch is being planned or added: the
   * moment the target layouts may change (every earlier batch's jobs are in their queues).
   */
  beforeBatch?(): Promise<void>;
}

export interface RouterOptions extends EnrichOptions {
  queueByArn: ReadonlyMap<string, string>;
  /** The partition of a target's queue an object key's events go to (default: the queue itself). */
  place?: PlaceEvent;
  /** First retry delay in ms; doubles up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export interface RoutedBatch<D extends BatchDelivery> {
  delivery: D;
  /** One per mutation, in order. */
  plans: FanoutPlan[];
  jobs: FanoutJob[];
  /** How many attempts it took (1 = first try). */
  attempts: number;
}

export function routeBatches<D extends BatchDelivery>(
  ports: RouterPorts,
  options: RouterOptions,
): OperatorFunction<D, RoutedBatch<D>> {
  const routeOne = (delivery: D): Observable<RoutedBatch<D>> => {
    let attempts = 0;
    return defer(() => {
      attempts += 1;
      // Without a beforeBatch port, nothing asynchronous comes first (virtual-time tests rely on it).
      const prepared = ports.beforeBatch ? from(ports.beforeBatch()) : of(undefined);
      return prepared.pipe(
        mergeMap(() => rulesOfBatch(ports, delivery.mutations)),
        map((rulesOf) =>
          delivery.mutations.map((mutation) =>
            planFanout(mutation, rulesOf(mutation), options.queueByArn, options, options.place),
          ),
        ),
        mergeMap((plans) => {
          const jobs = batchJobs(delivery.id, plans);
          const done = { plans, jobs };
          return jobs.length === 0 ? of(done) : from(ports.enqueue(jobs)).pipe(map(() => done));
        }),
      );
    }).pipe(
      retry({
        delay: (_error, retryCount) =>
          timer(Math.min(options.retryDelayMs * 2 ** (retryCount - 1), options.maxRetryDelayMs)),
      }),
      map(({ plans, jobs }) => ({ delivery, plans, jobs, attempts })),
    );
  };
  return (source) => source.pipe(concatMap(routeOne));
}

/** Looks up each (bucket, version) of a batch once; emits a lookup by mutation. */
function rulesOfBatch(
  ports: RouterPorts,
  mutations: readonly MutationRecord[],
): Observable<(mutation: MutationRecord) => CompiledRule[]> {
  const keyOf = (m: MutationRecord) => `${m.configVersion}\n${m.bucket}`;
  const wanted = new Map<string, MutationRecord>();
  for (const mutation of mutations) if (!wanted.has(keyOf(mutation))) wanted.set(keyOf(mutation), mutation);
  const keys = [...wanted.keys()];
  if (keys.length === 0) return of(() => []);
  return forkJoin(
    keys.map((key) => {
      const { bucket, configVersion } = wanted.get(key) as MutationRecord;
      return from(ports.rules(bucket, configVersion));
    }),
  ).pipe(
    map((found) => {
      const byKey = new Map(keys.map((key, i) => [key, found[i] as CompiledRule[]]));
      return (mutation: MutationRecord) => byKey.get(keyOf(mutation)) ?? [];
    }),
  );
}
