// Public surface of @bucket-events/ingest (used by tests and other apps' end-to-end tests).
export { announceServing } from './announce.ts';
export { type IngestOptions, type RunningIngest, startIngest } from './app.ts';
export { ingestEnvSchema, parseIngestEnv } from './env.ts';
export { toMutationRecord } from './outbox/relay.ts';
