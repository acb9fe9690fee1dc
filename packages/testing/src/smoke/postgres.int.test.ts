// Smoke: PostgreSQL round-trips JSONB rows through pg, inside a per-test schema.
import { describe, expect } from 'vitest';
import { test } from '../fixtures.ts';

describe('postgres', () => {
  test('pg creates a table, upserts a jsonb row and reads it back', async ({ postgres }) => {
    const { pool, schema } = postgres;
    await pool.query('create table bucketevents (key varchar primary key, value jsonb)');
    await pool.query(
      'insert into bucketevents values ($1, $2) on conflict (key) do update set value = excluded.value',
      ['images/a.jpg', { Records: [{ eventName: 's3:ObjectCreated:Put' }] }],
    );
    const { rows } = await pool.query('select key, value from bucketevents');
    expect(rows).toEqual([
      { key: 'images/a.jpg', value: { Records: [{ eventName: 's3:ObjectCreated:Put' }] } },
    ]);
    const where = await pool.query(
      'select table_schema from information_schema.tables where table_name = $1',
      ['bucketevents'],
    );
    expect(where.rows.map((row) => row.table_schema)).toContain(schema);
  });
});
