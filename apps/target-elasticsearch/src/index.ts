// Public surface of the Elasticsearch target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { OptionsOf } from '@bucket-events/config';
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { options } from './options.ts';
import { ElasticsearchSink } from './sink.ts';

export { type ElasticsearchOptions, options } from './options.ts';
export { ElasticsearchSink, type ElasticsearchSinkOptions, namespaceDocumentId } from './sink.ts';

export const targetApp: TargetAppDefinition<OptionsOf<typeof options>> = {
  kind: 'elasticsearch',
  options,
  createSink: (target) => new ElasticsearchSink(target.options),
};
