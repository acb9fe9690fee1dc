// The Elasticsearch process: every enabled `elasticsearch` target of the configuration.
import { runTargetApp } from '@bucket-events/target-kit';
import { ElasticsearchSink } from './sink.ts';

await runTargetApp({ kind: 'elasticsearch', createSink: (target) => new ElasticsearchSink(target.options) });
