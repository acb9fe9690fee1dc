// Smoke: the official Elasticsearch client, in compatibility mode, indexes and
// finds a document on the real OpenSearch and Elasticsearch 7 servers.
import { describe, expect } from 'vitest';
import { type SearchNamespace, test } from '../fixtures.ts';

async function roundTrip({ client, index }: SearchNamespace) {
  await client.indices.create({ index });
  await client.index({
    index,
    id: 'bucket/a.jpg',
    document: { Records: [{ eventName: 's3:ObjectCreated:Put' }] },
    version: 5,
    version_type: 'external',
    refresh: true,
  });
  const found = await client.search({
    index,
    query: { match: { 'Records.eventName': 's3:ObjectCreated:Put' } },
  });
  expect(found.hits.hits.map((hit) => hit._id)).toEqual(['bucket/a.jpg']);
  const bulk = await client.bulk({
    refresh: true,
    operations: [
      { index: { _index: index, _id: 'bucket/a.jpg', version: 4, version_type: 'external' } },
      { stale: true },
    ],
  });
  // An older external version is refused per item, and the stored document stays.
  expect(bulk.errors).toBe(true);
  expect(bulk.items[0]?.index?.status).toBe(409);
  expect((await client.get({ index, id: 'bucket/a.jpg' }))._version).toBe(5);
}

describe('search engines', () => {
  test('opensearch', async ({ opensearch }) => {
    await roundTrip(opensearch);
  });

  test('elasticsearch 7', async ({ elasticsearch7 }) => {
    await roundTrip(elasticsearch7);
  });
});
