// This target's test probe (see @bucket-events/target-kit/probe): `select * from`
// the table, as the seed does — rows in commit order for the access format, the
// row per object for the namespace view. Each read connects anew, so a restart
// of the server between reads does not matter.
import {
  defineTargetProbe,
  type EventDocument,
  eventsObservation,
  perUse,
  viewObservation,
} from '@bucket-events/target-kit/probe';
import { loadServiceEndpoints, localServiceControl, pollWhileWatched } from '@bucket-events/testing/services';
import pg from 'pg';

export const probe = defineTargetProbe({
  kind: 'postgresql',
  formats: ['namespace', 'access'],
  async create({ name, format }) {
    const { postgresUrl } = loadServiceEndpoints();
    const url = new URL(postgresUrl);
    const withClient = perUse(
      async () => {
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        return client;
      },
      (client) => client.end(),
    );
    const exists = async (client: pg.Client) =>
      (await client.query('select to_regclass($1) as t', [name])).rows[0].t !== null;
    return {
      // The seed's block: its keys, the address of this machine's server.
      block: {
        enable: true,
        connectionString: '',
        table: name,
        format: format ?? 'namespace',
        host: url.hostname,
        port: url.port,
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.slice(1),
      },
      async prepare() {},
      read: () =>
        withClient(async (client) => {
          if (format !== 'access') {
            if (!(await exists(client))) return viewObservation([]);
            const rows = await client.query<{ key: string; value: EventDocument }>(
              `select key, value from ${name}`,
            );
            return viewObservation(rows.rows.map((row) => [row.key, row.value]));
          }
          if (!(await exists(client))) return eventsObservation([]);
          // In commit order: each batch is one transaction holding at most one event per key, and a
          // key's next batch starts after the previous one committed, so its xmin is larger.
          // (Physical order, ctid, is not insertion order once a rolled-back batch left free space.)
          const rows = await client.query<{ event_data: EventDocument }>(
            `select event_data from ${name} order by xmin::text::bigint, ctid`,
          );
          return eventsObservation(rows.rows.map((row) => row.event_data));
        }),
      async follow(onArrival) {
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        // Every key each time, only the key: an OFFSET without an order skipped rows.
        const polling = pollWhileWatched(async () => {
          if (await exists(client)) {
            const rows = await client.query<{ key: string }>(
              `select event_data->'Records'->0->'s3'->'object'->>'key' as key from ${name}`,
            );
            for (const row of rows.rows) onArrival(decodeURIComponent(row.key));
          }
          return true;
        }, 10);
        return {
          watch: polling.watch,
          async close() {
            await polling.stop();
            await client.end();
          },
        };
      },
      ...localServiceControl('postgres'),
      cleanup: () =>
        withClient(async (client) => {
          // The app may still be writing (a test's clean-up deletes make NoOP events, which a
          // namespace view applies to both tables): a deadlock with that write is retried.
          for (let attempt = 1; ; attempt++) {
            try {
              await client.query(`drop table if exists ${name}, ${name}_sequencers`);
              return;
            } catch (error) {
              if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
              await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
            }
          }
        }),
    };
  },
});
