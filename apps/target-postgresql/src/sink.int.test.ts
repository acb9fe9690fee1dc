// The PostgreSQL target against the real PostgreSQL: the shared conformance
// suite (access format), the seed's namespace table, and an order-safe view.
import type { TargetJob } from '@bucket-events/contracts';
import {
  conformanceJob,
  namespaceViewSuite,
  probedConformanceTarget,
  targetConformanceSuite,
} from '@bucket-events/target-kit/conformance';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { targetApp } from './index.ts';
import { probe } from './probe.ts';
import { PostgresSink, sequencerTable } from './sink.ts';

const { postgresUrl } = loadServiceEndpoints();
const reader = new pg.Pool({ connectionString: postgresUrl, max: 2 });
afterAll(() => reader.end());

const sinkFor = (table: string, format: 'access' | 'namespace') =>
  new PostgresSink({
    connectionString: postgresUrl,
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
  reader.query(`DROP TABLE IF EXISTS ${tables.map((t) => `"${t}"`).join(', ')}`);

// Read back through this kind's probe, with the sink the app makes from the probe's block.
targetConformanceSuite({
  kind: 'postgresql',
  setup: async () => ({
    ...(await probedConformanceTarget(targetApp, probe)),
    // PostgreSQL refuses an event whose time is not a time: the event is dead-lettered, not retried.
    poison: (job) => ({ ...job, record: { ...job.record, eventTime: 'not a time' } }),
  }),
});

namespaceViewSuite({
  kind: 'postgresql',
  async setup() {
    const table = uniqueName('view');
    return {
      sink: sinkFor(table, 'namespace'),
      entry: async (objectKey) => {
        const { rows } = await reader.query(`SELECT value FROM "${table}" WHERE key = $1`, [
          `conformance/${objectKey}`,
        ]);
        return (rows[0]?.value as { Records: [TargetJob['record']] } | undefined)?.Records[0];
      },
      cleanup: async () => {
        await drop(table, sequencerTable(table));
      },
    };
  },
});

describe('postgresql target formats', () => {
  it('namespace: key + value rows as the seed shows; duplicates and late older events never win', async () => {
    const table = uniqueName('namespace');
    const sink = sinkFor(table, 'namespace');
    await sink.connect();
    try {
      const put1 = conformanceJob('postgresql', 'myphoto.jpg');
      const put2 = conformanceJob('postgresql', 'myphoto.jpg');
      const del3 = conformanceJob('postgresql', 'myphoto.jpg', 's3:ObjectRemoved:Delete');
      const other = conformanceJob('postgresql', 'other.jpg');
      await sink.write([put2, other]);
      await sink.write([put1]); // late and older
      const view = async () => (await reader.query(`SELECT * FROM "${table}" ORDER BY key`)).rows;
      expect(await view()).toEqual([
        { key: 'conformance/myphoto.jpg', value: { Records: [put2.record] } },
        { key: 'conformance/other.jpg', value: { Records: [other.record] } },
      ]);
      await sink.write([del3, put1, put2]); // the delete wins over every older put, repeated or late
      expect((await view()).map((row) => row.key)).toEqual(['conformance/other.jpg']);
      const put4 = conformanceJob('postgresql', 'myphoto.jpg');
      await sink.write([put4]);
      expect((await view()).find((row) => row.key === 'conformance/myphoto.jpg')?.value).toEqual({
        Records: [put4.record],
      });
    } finally {
      await sink.close();
      await drop(table, sequencerTable(table));
    }
  });
});
