// This target's test probe (see @bucket-events/target-kit/probe), on the local
// OpenSearch: `_search` on the index in `_seq_no` order (the order of arrival on
// one shard), paged, or the documents by id for the namespace format.
import { createSearchClient, type SearchClient } from '@bucket-events/search-client';
import {
  defineTargetProbe,
  type EventDocument,
  eventsObservation,
  objectKeyOf,
  perUse,
  viewObservation,
} from '@bucket-events/target-kit/probe';
import { loadServiceEndpoints, localServiceControl, pollWhileWatched } from '@bucket-events/testing/services';

const PAGE = 5_000;

export const probe = defineTargetProbe({
  kind: 'elasticsearch',
  // The seed's block has no `format`; its output (an auto id per event) is the access format.
  formats: ['access', 'namespace'],
  async create({ name, format, restartable = false }) {
    const { opensearchUrl } = loadServiceEndpoints();
    const withClient = perUse(
      async () => createSearchClient({ url: opensearchUrl, compatibility: 'opensearch' }),
      (client) => client.close(),
    );
    /** One shard, so `_seq_no` is the order of arrival; the target app may have made it already. */
    const createIndex = (client: SearchClient) =>
      client.indices
        .create({ index: name, settings: { number_of_shards: 1, number_of_replicas: 0 } })
        .catch((error: { meta?: { body?: { error?: { type?: string } } } }) => {
          if (error.meta?.body?.error?.type !== 'resource_already_exists_exception') throw error;
        });
    return {
      block: { enable: true, url: opensearchUrl, index: name, ...(format ? { format } : {}) },
      async prepare() {
        if (restartable) await withClient(createIndex);
      },
      read: () =>
        withClient(async (client) => {
          if (!(await client.indices.exists({ index: name })))
            return format === 'namespace' ? viewObservation([]) : eventsObservation([]);
          await client.indices.refresh({ index: name });
          // Paged with search_after: one search returns at most 10,000 hits (index.max_result_window).
          const hits: { _id?: string; _source?: unknown }[] = [];
          let after: (string | number)[] | undefined;
          for (;;) {
            const result = await client.search<EventDocument>({
              index: name,
              size: PAGE,
              sort: [{ _seq_no: { order: 'asc', unmapped_type: 'long' } }],
              ...(after ? { search_after: after } : {}),
            });
            hits.push(...result.hits.hits);
            if (result.hits.hits.length < PAGE) break;
            after = result.hits.hits.at(-1)?.sort as (string | number)[];
          }
          if (format === 'namespace')
            return viewObservation(hits.map((hit) => [hit._id as string, hit._source as EventDocument]));
          return eventsObservation(hits.map((hit) => hit._source as EventDocument));
        }),
      async follow(onArrival) {
        const client = createSearchClient({ url: opensearchUrl, compatibility: 'opensearch' });
        await createIndex(client);
        await client.indices.putSettings({ index: name, settings: { refresh_interval: '50ms' } });
        let after = -1;
        const polling = pollWhileWatched(async () => {
          const result = await client
            .search<EventDocument>({
              index: name,
              size: 1000,
              sort: [{ _seq_no: { order: 'asc', unmapped_type: 'long' } }],
              ...(after >= 0 ? { search_after: [after] } : {}),
            })
            .catch(() => undefined);
          for (const hit of result?.hits.hits ?? []) {
            after = Math.max(after, Number(hit.sort?.[0] ?? after));
            onArrival(objectKeyOf(hit._source as EventDocument));
          }
          // Documents become searchable at each refresh (50 ms): polling faster only loads the server.
          return (result?.hits.hits.length ?? 0) < 1000;
        }, 25);
        return {
          watch: polling.watch,
          async close() {
            await polling.stop();
            await client.close();
          },
        };
      },
      ...localServiceControl('opensearch'),
      cleanup: () =>
        withClient(async (client) => {
          await client.indices.delete({ index: name, ignore_unavailable: true });
        }),
    };
  },
});
