// The MySQL target against a real MariaDB: the shared conformance suite (access
// format, MinIO's DSN), the versioned namespace view, MinIO's namespace table,
// and an order-safe view.
import type { TargetJob } from '@bucket-events/contracts';
import {
  conformanceJob,
  namespaceViewSuite,
  probedConformanceTarget,
  targetConformanceSuite,
} from '@bucket-events/target-kit/conformance';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { targetApp } from './index.ts';
import { probe } from './probe.ts';
import { MysqlSink, sequencerTable } from './sink.ts';

const { mysqlUrl } = loadServiceEndpoints();
const url = new URL(mysqlUrl);
/** MinIO's DSN for the local server. */
const dsn = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}@tcp(${url.host})${url.pathname}`;
const reader = mysql.createPool({ uri: mysqlUrl, connectionLimit: 2, timezone: 'Z' });
afterAll(() => reader.end());

const sinkFor = (table: string, format: 'access' | 'namespace') =>
  new MysqlSink({
    dsnString: dsn,
    host: '',
    port: '',
    user: '',
    password: '',
    database: '',
    table,
    format,
    maxOpenConnections: 2,
  });

const drop = (...tables: string[]) =>
  reader.query(`DROP TABLE IF EXISTS ${tables.map((t) => `\`${t}\``).join(', ')}`);
/** MariaDB hands JSON columns back as text, MySQL as objects. */
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
type Document = { Records: [TargetJob['record']] };

// Read back through this kind's probe, with the sink the app makes from the probe's block.
targetConformanceSuite({
  kind: 'mysql',
  setup: async () => ({
    ...(await probedConformanceTarget(targetApp, probe)),
    // The server refuses an event whose time is not a time: the event is dead-lettered, not retried.
    poison: (job) => ({ ...job, record: { ...job.record, eventTime: 'not a time' } }),
  }),
});

namespaceViewSuite({
  kind: 'mysql',
  async setup() {
    const table = uniqueName('view');
    return {
      sink: sinkFor(table, 'namespace'),
      entry: async (objectKey) => {
        const [rows] = await reader.query(`SELECT value FROM \`${table}\` WHERE key_name = ?`, [
          `conformance/${objectKey}`,
        ]);
        const [row] = rows as { value: unknown }[];
        return row ? json<Document>(row.value).Records[0] : undefined;
      },
      cleanup: async () => {
        await drop(table, sequencerTable(table));
      },
    };
  },
});

describe('mysql target formats', () => {
  it("namespace: MinIO's key_name + value rows; duplicates and late older events never win", async () => {
    const table = uniqueName('namespace');
    const sink = sinkFor(table, 'namespace');
    await sink.connect();
    try {
      const put1 = conformanceJob('mysql', 'myphoto.jpg');
      const put2 = conformanceJob('mysql', 'myphoto.jpg');
      const del3 = conformanceJob('mysql', 'myphoto.jpg', 's3:ObjectRemoved:Delete');
      const other = conformanceJob('mysql', 'other.jpg');
      await sink.write([put2, other]);
      await sink.write([put1]); // late and older
      const view = async () => {
        const [rows] = await reader.query(
          `SELECT key_name, key_hash, value FROM \`${table}\` ORDER BY key_name`,
        );
        return (rows as { key_name: string; key_hash: string; value: unknown }[]).map((row) => ({
          ...row,
          value: json<Document>(row.value),
        }));
      };
      const [hash] = (await reader.query("SELECT SHA2('conformance/myphoto.jpg', 256) AS h"))[0] as {
        h: string;
      }[];
      expect(await view()).toEqual([
        { key_name: 'conformance/myphoto.jpg', key_hash: hash?.h, value: { Records: [put2.record] } },
        {
          key_name: 'conformance/other.jpg',
          key_hash: expect.any(String),
          value: { Records: [other.record] },
        },
      ]);
      await sink.write([del3, put1, put2]); // the delete wins over every older put, repeated or late
      expect((await view()).map((row) => row.key_name)).toEqual(['conformance/other.jpg']);
      const put4 = conformanceJob('mysql', 'myphoto.jpg');
      await sink.write([put4]);
      expect((await view()).find((row) => row.key_name === 'conformance/myphoto.jpg')?.value).toEqual({
        Records: [put4.record],
      });
    } finally {
      await sink.close();
      await drop(table, sequencerTable(table));
    }
  });

  it("access: MinIO's event_time + event_data rows", async () => {
    const table = uniqueName('access');
    const sink = sinkFor(table, 'access');
    await sink.connect();
    try {
      const job = conformanceJob('mysql', 'images/myphoto.jpg');
      await sink.write([job]);
      const [rows] = await reader.query(`SELECT event_time, event_data FROM \`${table}\``);
      const [row] = rows as { event_time: Date; event_data: unknown }[];
      expect(row?.event_time.toISOString()).toBe(new Date(job.record.eventTime).toISOString());
      expect(json(row?.event_data)).toEqual({ Records: [job.record] });
    } finally {
      await sink.close();
      await drop(table);
    }
  });
});
