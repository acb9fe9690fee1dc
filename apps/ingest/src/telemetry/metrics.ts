// Ingest's Prometheus series, in the spirit of MinIO's minio_s3_requests_total
// and minio_s3_ttfb_seconds: S3 requests by API and status and their duration;
// the outbox (rows waiting, age of the oldest) and the relay that empties it
// (rounds, records, failures, commit → Redis lag).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Read at scrape time. */
export interface OutboxCollectors {
  rows(): number;
  oldestAgeSeconds(): number;
}

export interface IngestMetrics {
  registry: Registry;
  /** One S3 request answered: its API (`PutObject`), HTTP status and duration. */
  request(api: string, status: number, seconds: number): void;
  relay: RelayObserver;
}

/** What the relay reports as it goes. */
export interface RelayObserver {
  /** A round reached Redis: its mutation records, and how long ago the oldest was committed. */
  round(records: number, oldestLagSeconds: number | undefined): void;
  /** A round could not reach Redis (it is retried, rows kept). */
  failure(): void;
}

export function createIngestMetrics(registry: Registry, outbox: OutboxCollectors): IngestMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'bucket_events_s3_requests_total',
    help: 'S3 requests answered, by API and HTTP status.',
    labelNames: ['api', 'status'],
    registers,
  });
  const duration = new Histogram({
    name: 'bucket_events_s3_request_duration_seconds',
    help: 'From the request arriving to its answer sent in full, by API.',
    labelNames: ['api'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  new Gauge({
    name: 'bucket_events_outbox_rows',
    help: 'Committed mutations (and config versions) not yet handed to Redis.',
    registers,
    collect() {
      this.set(outbox.rows());
    },
  });
  new Gauge({
    name: 'bucket_events_outbox_oldest_age_seconds',
    help: 'Age of the oldest mutation waiting in the outbox (0 when empty).',
    registers,
    collect() {
      this.set(outbox.oldestAgeSeconds());
    },
  });
  const rounds = new Counter({
    name: 'bucket_events_relay_rounds_total',
    help: 'Relay rounds that reached Redis (each one job of mutation records or more).',
    registers,
  });
  const relayed = new Counter({
    name: 'bucket_events_relay_records_total',
    help: 'Mutation records handed to the mutations queue.',
    registers,
  });
  const failures = new Counter({
    name: 'bucket_events_relay_failures_total',
    help: 'Relay rounds that could not reach Redis (retried with backoff; rows kept).',
    registers,
  });
  const lag = new Histogram({
    name: 'bucket_events_relay_lag_seconds',
    help: "From a round's oldest commit to Redis accepting the round.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
    registers,
  });
  return {
    registry,
    request(api, status, seconds) {
      requests.labels(api, String(status)).inc();
      duration.labels(api).observe(seconds);
    },
    relay: {
      round(records, oldestLagSeconds) {
        rounds.inc();
        relayed.inc(records);
        if (oldestLagSeconds !== undefined) lag.observe(oldestLagSeconds);
      },
      failure() {
        failures.inc();
      },
    },
  };
}
