// Public surface of the Elasticsearch target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { ElasticsearchSink } from './sink.ts';

export { ElasticsearchSink, type ElasticsearchSinkOptions, namespaceDocumentId } from './sink.ts';

export const targetApp: TargetAppDefinition<'elasticsearch'> = {
  kind: 'elasticsearch',
  createSink: (target) => new ElasticsearchSink(target.options),
};
