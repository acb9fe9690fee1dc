// Public surface of the PostgreSQL target (for tests of other packages).
export { PostgresSink, type PostgresSinkOptions, sequencerTable } from './sink.ts';
