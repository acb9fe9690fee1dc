// The Elasticsearch target against the real engines infra/local starts —
// OpenSearch 2.19 and Elasticsearch 7.10.2, both through the compatibility
// transport (Elasticsearch 8/9 cannot be run here). For each: the shared
// conformance suite on an access index read back in arrival order (`_seq_no`),
// per-item bulk errors, and the namespace view converging under duplicates,
// late older events and deletes.
import type { TargetJob } from '@bucket-events/contracts';
import {
  createSearchClient,
  detectCompatibility,
  type SearchCompatibility,
} from '@bucket-events/search-client';
import {
  conformanceJob,
  namespaceViewSuite,
  targetConformanceSuite,
} from '@bucket-events/target-kit/conformance';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ElasticsearchSink, type ElasticsearchSinkOptions, namespaceDocumentId } from './sink.ts';

const endpoints = loadServiceEndpoints();
const engines: { compatibility: SearchCompatibility; url: string }[] = [
  { compatibility: 'opensearch', url: endpoints.opensearchUrl },
  { compatibility: 'elasticsearch7', url: endpoints.elasticsearch7Url },
];

type Stored = { Records: TargetJob['record'][] };

for (const engine of engines) {
  const client = createSearchClient({ url: engine.url, compatibility: engine.compatibility });
  afterAll(() => client.close());

  const options = (index: string, format: 'access' | 'namespace'): ElasticsearchSinkOptions => ({
    url: engine.url,
    index,
    format,
    username: '',
    password: '',
    compatibility: engine.compatibility,
  });

  /** Every document of the index, in the order the engine received them. */
  async function documents(index: string): Promise<{ id: string; source: Stored }[]> {
    await client.indices.refresh({ index });
    const result = await client.search<Stored>({
      index,
      size: 10_000,
      sort: [{ _seq_no: { order: 'asc', unmapped_type: 'long' } }],
    });
    return result.hits.hits.map((hit) => ({ id: hit._id as string, source: hit._source as Stored }));
  }

  const remove = (index: string) => client.indices.delete({ index, ignore_unavailable: true }).then(() => {});

  targetConformanceSuite({
    kind: `elasticsearch (${engine.compatibility})`,
    async setup() {
      const index = uniqueName('events');
      // A user's index with `eventTime` mapped as a date, so a record with a broken time is rejected.
      await client.indices.create({
        index,
        mappings: { properties: { Records: { properties: { eventTime: { type: 'date' } } } } },
      });
      return {
        sink: new ElasticsearchSink(options(index, 'access')),
        stored: async () =>
          (await documents(index)).map(({ source }) => {
            const record = source.Records[0] as TargetJob['record'];
            return { key: decodeURIComponent(record.s3.object.key), sequencer: record.s3.object.sequencer };
          }),
        poison: (job) => ({ ...job, record: { ...job.record, eventTime: 'not a time' } }),
        cleanup: () => remove(index),
      };
    },
  });

  namespaceViewSuite({
    kind: `elasticsearch (${engine.compatibility})`,
    async setup() {
      const index = uniqueName('view');
      return {
        sink: new ElasticsearchSink(options(index, 'namespace')),
        entry: async (objectKey) => {
          const found = await client.get<Stored>(
            { index, id: namespaceDocumentId('conformance', objectKey) },
            { ignore: [404] },
          );
          return found.found ? (found._source as Stored).Records[0] : undefined;
        },
        cleanup: () => remove(index),
      };
    },
  });

  describe(`elasticsearch target on ${engine.compatibility}`, () => {
    it('creates a missing index and writes one {"Records":[event]} document per event (access)', async () => {
      const index = uniqueName('access');
      const sink = new ElasticsearchSink(options(index, 'access'));
      try {
        await sink.connect();
        expect(await client.indices.exists({ index })).toBe(true);
        const first = conformanceJob('elasticsearch', 'images/myphoto.jpg');
        const second = conformanceJob('elasticsearch', 'images/myphoto.jpg', 's3:ObjectRemoved:Delete');
        expect(await sink.write([first, second])).toBeUndefined();
        const stored = await documents(index);
        expect(stored.map((document) => document.source)).toEqual([
          { Records: [first.record] },
          { Records: [second.record] },
        ]);
      } finally {
        await sink.close();
        await remove(index);
      }
    });

    it('finds the dialect by itself when compatibility is auto (the seed block has none)', async () => {
      expect(await detectCompatibility({ url: engine.url })).toBe(engine.compatibility);
      const index = uniqueName('auto');
      const sink = new ElasticsearchSink({ ...options(index, 'access'), compatibility: 'auto' });
      try {
        await sink.connect();
        expect(await sink.write([conformanceJob('elasticsearch', 'auto.jpg')])).toBeUndefined();
        expect(await documents(index)).toHaveLength(1);
      } finally {
        await sink.close();
        await remove(index);
      }
    });

    it('reports only the rejected document of a bulk batch; the rest are stored once', async () => {
      const index = uniqueName('bulk');
      await client.indices.create({
        index,
        mappings: { properties: { Records: { properties: { eventTime: { type: 'date' } } } } },
      });
      const sink = new ElasticsearchSink(options(index, 'access'));
      try {
        await sink.connect();
        const good = [conformanceJob('elasticsearch', 'a'), conformanceJob('elasticsearch', 'c')];
        const bad = conformanceJob('elasticsearch', 'b');
        const batch = [good[0], { ...bad, record: { ...bad.record, eventTime: 'yesterday-ish' } }, good[1]];
        const failures = await sink.write(batch as TargetJob[]);
        expect([...(failures?.keys() ?? [])]).toEqual([1]);
        expect(failures?.get(1)?.classification).toBe('fatal');
        expect(failures?.get(1)?.message).toMatch(/pars/);
        const stored = await documents(index);
        expect(stored.map((document) => document.source.Records[0]?.s3.object.key)).toEqual(['a', 'c']);
      } finally {
        await sink.close();
        await remove(index);
      }
    });

    it('namespace: one document per object, deleted on ObjectRemoved, never overwritten by an older or repeated event', async () => {
      const index = uniqueName('namespace');
      const sink = new ElasticsearchSink(options(index, 'namespace'));
      const read = async (key: string) => {
        const found = await client.get<Stored>(
          { index, id: namespaceDocumentId('conformance', key) },
          { ignore: [404] },
        );
        return found.found ? (found._source as Stored) : undefined;
      };
      try {
        await sink.connect();
        const put1 = conformanceJob('elasticsearch', 'a.jpg');
        const put2 = conformanceJob('elasticsearch', 'a.jpg');
        const del3 = conformanceJob('elasticsearch', 'a.jpg', 's3:ObjectRemoved:Delete');
        const other = conformanceJob('elasticsearch', 'b.jpg');
        expect(await sink.write([put2, other])).toBeUndefined();
        expect(await sink.write([put1, put2])).toBeUndefined(); // late older + duplicate: refused by version, not errors
        expect(await read('a.jpg')).toEqual({ Records: [put2.record] });
        expect(await sink.write([del3, put2, put1])).toBeUndefined(); // delete, then stale puts: stays deleted
        expect(await read('a.jpg')).toBeUndefined();
        expect(await sink.write([del3])).toBeUndefined(); // deleting again is fine
        expect(await read('b.jpg')).toEqual({ Records: [other.record] });
        const put4 = conformanceJob('elasticsearch', 'a.jpg');
        expect(await sink.write([put4])).toBeUndefined();
        expect(await read('a.jpg')).toEqual({ Records: [put4.record] });
        expect((await documents(index)).map((document) => document.id).sort()).toEqual([
          'conformance/a.jpg',
          'conformance/b.jpg',
        ]);
      } finally {
        await sink.close();
        await remove(index);
      }
    });
  });
}

describe('namespaceDocumentId', () => {
  it('is the object name when it fits, a digest when it is too long for an id', () => {
    expect(namespaceDocumentId('images', 'myphoto.jpg')).toBe('images/myphoto.jpg');
    const long = namespaceDocumentId('images', 'é'.repeat(300));
    expect(long).toMatch(/^sha256-[A-Za-z0-9_-]{43}$/);
    expect(namespaceDocumentId('images', 'é'.repeat(300))).toBe(long);
    expect(namespaceDocumentId('images', `${'é'.repeat(299)}e`)).not.toBe(long);
  });
});
