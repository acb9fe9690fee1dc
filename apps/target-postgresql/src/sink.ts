// The PostgreSQL sink. access: one row per event (event_time, event_data).
// namespace: one row per object (key, value) as the seed's `select *` shows,
// kept order-safe by a companion table of the newest sequencer applied per key:
// an event changes the view only if it is newer than what was applied, so
// duplicates and late older events never overwrite newer state — deletes
// included. One transaction per batch.
import { namespaceChange, storeDocument, type TargetJob } from '@bucket-events/contracts';
import { type BatchFailures, type ErrorClass, TargetError, type TargetSink } from '@bucket-events/target-kit';
import pg from 'pg';

export interface PostgresSinkOptions {
  connectionString: string;
  host: string;
  port: string | number;
  user: string;
  password: string;
  database: string;
  table: string;
  format: 'access' | 'namespace';
  maxOpenConnections: number;
}

/** Where a namespace target remembers the newest sequencer applied per object. */
export function sequencerTable(table: string): string {
  return `${table}_sequencers`;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

export class PostgresSink implements TargetSink {
  private pool: pg.Pool | undefined;

  constructor(private readonly options: PostgresSinkOptions) {}

  async connect(): Promise<void> {
    await this.pool?.end().catch(() => {});
    const o = this.options;
    const pool = new pg.Pool(
      o.connectionString !== ''
        ? { connectionString: o.connectionString, max: o.maxOpenConnections, connectionTimeoutMillis: 5000 }
        : {
            host: o.host,
            port: Number(o.port || 5432),
            user: o.user,
            password: o.password,
            database: o.database,
            max: o.maxOpenConnections,
            connectionTimeoutMillis: 5000,
          },
    );
    pool.on('error', () => {}); // an idle client's error surfaces on the next query
    const table = quote(o.table);
    if (o.format === 'access') {
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${table} (event_time TIMESTAMP WITH TIME ZONE NOT NULL, event_data JSONB)`,
      );
    } else {
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR PRIMARY KEY, value JSONB)`);
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${quote(sequencerTable(o.table))} (key VARCHAR PRIMARY KEY, sequencer VARCHAR(16) NOT NULL)`,
      );
    }
    this.pool = pool;
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    const pool = this.pool;
    if (!pool) throw new TargetError('reconnect', 'not connected');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      if (this.options.format === 'access') await this.insertEvents(client, batch);
      else for (const job of batch) await this.applyToView(client, job);
      await client.query('COMMIT');
      return undefined;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async insertEvents(client: pg.PoolClient, batch: readonly TargetJob[]) {
    const values: unknown[] = [];
    const rows = batch.map((job, index) => {
      values.push(job.record.eventTime, JSON.stringify(storeDocument(job.record)));
      return `($${index * 2 + 1}::timestamptz, $${index * 2 + 2}::jsonb)`;
    });
    await client.query(
      `INSERT INTO ${quote(this.options.table)} (event_time, event_data) VALUES ${rows.join(', ')}`,
      values,
    );
  }

  private async applyToView(client: pg.PoolClient, job: TargetJob) {
    const change = namespaceChange(job);
    const key = `${job.bucket}/${job.key}`;
    const newer = await client.query(
      `INSERT INTO ${quote(sequencerTable(this.options.table))} AS s (key, sequencer) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET sequencer = EXCLUDED.sequencer WHERE s.sequencer < EXCLUDED.sequencer RETURNING key`,
      [key, job.sequencer],
    );
    if (newer.rowCount === 0) return; // a duplicate or an older event: the view already holds newer state
    if (change.kind === 'none') return; // the key's current object is as it was
    const table = quote(this.options.table);
    if (change.kind === 'remove') {
      await client.query(`DELETE FROM ${table} WHERE key = $1`, [key]);
    } else {
      await client.query(
        `INSERT INTO ${table} (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [key, JSON.stringify(change.document)],
      );
    }
  }

  async probe(): Promise<void> {
    if (!this.pool) throw new TargetError('reconnect', 'not connected');
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool?.end().catch(() => {});
    this.pool = undefined;
  }

  classify(error: unknown): ErrorClass {
    const code = (error as { code?: string }).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    // Class 22 (data exception) and 23 (integrity): this event can never be written.
    if (code.startsWith('22') || code.startsWith('23')) return 'fatal';
    if (
      code.startsWith('08') ||
      code === '57P01' ||
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|terminat|Connection/i.test(message)
    ) {
      return 'reconnect';
    }
    return 'retry';
  }
}
