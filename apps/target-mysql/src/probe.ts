// This target's test probe (see @bucket-events/target-kit/probe): `select * from`
// the table on the local MariaDB — rows in insertion order for the access format,
// the row per object for the namespace view. The block uses MinIO's DSN form.
// Each read connects anew, so a restart of the server between reads does not matter.
import {
  defineTargetProbe,
  documentOf,
  eventsObservation,
  perUse,
  viewObservation,
} from '@bucket-events/target-kit/probe';
import { loadServiceEndpoints, localServiceControl, pollWhileWatched } from '@bucket-events/testing/services';
import mysql from 'mysql2/promise';

export const probe = defineTargetProbe({
  kind: 'mysql',
  formats: ['namespace', 'access'],
  async create({ name, format }) {
    const { mysqlUrl } = loadServiceEndpoints();
    const url = new URL(mysqlUrl);
    const withConnection = perUse(
      () => mysql.createConnection({ uri: mysqlUrl }),
      (connection) => connection.end(),
    );
    const rows = async <T>(connection: mysql.Connection, sql: string) =>
      (await connection.query(sql))[0] as T[];
    const exists = async (connection: mysql.Connection) =>
      Number(
        (
          await rows<{ n: number }>(
            connection,
            `select count(*) as n from information_schema.tables where table_schema = database() and table_name = '${name}'`,
          )
        )[0]?.n ?? 0,
      ) > 0;
    return {
      block: {
        enable: true,
        dsnString: `${url.username}:${url.password}@tcp(${url.host})${url.pathname}`,
        table: name,
        format: format ?? 'namespace',
      },
      async prepare() {},
      read: () =>
        withConnection(async (connection) => {
          if (format !== 'access') {
            if (!(await exists(connection))) return viewObservation([]);
            const found = await rows<{ key_name: string; value: unknown }>(
              connection,
              `select key_name, value from \`${name}\``,
            );
            return viewObservation(found.map((row) => [row.key_name, documentOf(row.value)]));
          }
          if (!(await exists(connection))) return eventsObservation([]);
          // In insertion order: a table without a primary key is kept in InnoDB's row-id order, and a
          // key's next batch is inserted after the previous one committed.
          const found = await rows<{ event_data: unknown }>(connection, `select event_data from \`${name}\``);
          return eventsObservation(found.map((row) => documentOf(row.event_data)));
        }),
      async follow(onArrival) {
        const connection = await mysql.createConnection({ uri: mysqlUrl });
        const polling = pollWhileWatched(async () => {
          const found = await rows<{ k: string }>(
            connection,
            `select json_unquote(json_extract(event_data, '$.Records[0].s3.object.key')) as k from \`${name}\``,
          ).catch(() => []);
          for (const row of found) onArrival(decodeURIComponent(row.k));
          return true;
        }, 10);
        return {
          watch: polling.watch,
          async close() {
            await polling.stop();
            await connection.end();
          },
        };
      },
      ...localServiceControl('mariadb'),
      cleanup: () =>
        withConnection(async (connection) => {
          await connection.query(`drop table if exists \`${name}\`, \`${name}_sequencers\``);
        }),
    };
  },
});
