// Public surface of the Elasticsearch target (for tests of other packages).
export { ElasticsearchSink, type ElasticsearchSinkOptions, namespaceDocumentId } from './sink.ts';
