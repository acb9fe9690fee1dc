// The MySQL sink, in MinIO's tables. access: one row per event (event_time,
// event_data). namespace: one row per object (key_name, value; key_hash is its
// SHA-256, the primary key), kept order-safe as the PostgreSQL target's is, by a
// companion table of the newest sequencer applied per key: an event changes the
// view only if it is newer than what was applied, so duplicates and late older
// events never overwrite newer state — deletes included. One transaction per batch.
import { namespaceChange, storeDocument, type TargetJob } from '@bucket-events/contracts';
import { type BatchFailures, type ErrorClass, TargetError, type TargetSink } from '@bucket-events/target-kit';
import mysql, { type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2/promise';
import { parseDsn } from './dsn.ts';

export interface MysqlSinkOptions {
  dsnString: string;
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

const quote = (identifier: string) => `\`${identifier.replaceAll('`', '``')}\``;

/** Server errors that this event can never get past (a value the table refuses). */
const FATAL_CODES = new Set([
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_INVALID_JSON_TEXT',
  'ER_BAD_NULL_ERROR',
]);
const CONNECTION_CODES =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|PROTOCOL_CONNECTION_LOST|ER_CON_COUNT_ERROR|ER_SERVER_SHUTDOWN|PROTOCOL_SEQUENCE_TIMEOUT|ER_ACCESS_DENIED_ERROR/;

export class MysqlSink implements TargetSink {
  private pool: Pool | undefined;
  /** The namespace table computes key_hash itself (a table MinIO made on MySQL). */
  private generatedKeyHash = false;

  constructor(private readonly options: MysqlSinkOptions) {}

  async connect(): Promise<void> {
    await this.pool?.end().catch(() => {});
    const o = this.options;
    const address = o.dsnString
      ? parseDsn(o.dsnString)
      : {
          host: o.host,
          port: Number(o.port || 3306),
          user: o.user,
          password: o.password,
          database: o.database,
        };
    if (!address) throw new TargetError('retry', 'dsnString is not user:password@tcp(host:port)/database');
    const pool = mysql.createPool({
      ...address,
      connectionLimit: o.maxOpenConnections,
      connectTimeout: 5000,
      timezone: 'Z',
      // affectedRows must count changed rows, not matched ones: it tells an applied event from a stale one.
      flags: ['-FOUND_ROWS'],
    });
    const table = quote(o.table);
    try {
      if (o.format === 'access') {
        await pool.query(
          `CREATE TABLE IF NOT EXISTS ${table} (event_time DATETIME(3) NOT NULL, event_data JSON) ROW_FORMAT = Dynamic`,
        );
      } else {
        // MinIO's columns. Its key_hash is generated (SHA2 of key_name), which MariaDB refuses as a
        // primary key, so a table made here fills it itself; one MinIO made on MySQL is used as it is.
        await pool.query(
          `CREATE TABLE IF NOT EXISTS ${table} (key_name VARCHAR(3072) NOT NULL, key_hash CHAR(64) NOT NULL PRIMARY KEY, value JSON) CHARACTER SET = utf8mb4 COLLATE = utf8mb4_bin ROW_FORMAT = Dynamic`,
        );
        const [columns] = await pool.query(
          `SELECT EXTRA AS extra FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'key_hash'`,
          [o.table],
        );
        this.generatedKeyHash = /GENERATED/i.test(String((columns as { extra?: string }[])[0]?.extra ?? ''));
        await pool.query(
          `CREATE TABLE IF NOT EXISTS ${quote(sequencerTable(o.table))} (key_hash CHAR(64) NOT NULL PRIMARY KEY, sequencer CHAR(16) NOT NULL) CHARACTER SET = ascii`,
        );
      }
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    this.pool = pool;
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    const pool = this.pool;
    if (!pool) throw new TargetError('reconnect', 'not connected');
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      if (this.options.format === 'access') await this.insertEvents(connection, batch);
      else for (const job of batch) await this.applyToView(connection, job);
      await connection.commit();
      return undefined;
    } catch (error) {
      await connection.rollback().catch(() => {});
      throw error;
    } finally {
      connection.release();
    }
  }

  private async insertEvents(connection: PoolConnection, batch: readonly TargetJob[]) {
    const rows = batch.map((job) => [
      new Date(job.record.eventTime),
      JSON.stringify(storeDocument(job.record)),
    ]);
    await connection.query(`INSERT INTO ${quote(this.options.table)} (event_time, event_data) VALUES ?`, [
      rows,
    ]);
  }

  private async applyToView(connection: PoolConnection, job: TargetJob) {
    const change = namespaceChange(job);
    const key = `${job.bucket}/${job.key}`;
    // Inserted (1) or raised (2): this event is the newest; unchanged (0): a duplicate or an older one.
    const [newer] = await connection.query<ResultSetHeader>(
      `INSERT INTO ${quote(sequencerTable(this.options.table))} (key_hash, sequencer) VALUES (SHA2(?, 256), ?)
       ON DUPLICATE KEY UPDATE sequencer = IF(VALUES(sequencer) > sequencer, VALUES(sequencer), sequencer)`,
      [key, job.sequencer],
    );
    if (newer.affectedRows === 0) return;
    if (change.kind === 'none') return; // the key's current object is as it was
    const table = quote(this.options.table);
    if (change.kind === 'remove') {
      await connection.query(`DELETE FROM ${table} WHERE key_hash = SHA2(?, 256)`, [key]);
    } else {
      const value = JSON.stringify(change.document);
      await connection.query(
        this.generatedKeyHash
          ? `INSERT INTO ${table} (key_name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`
          : `INSERT INTO ${table} (key_name, key_hash, value) VALUES (?, SHA2(?, 256), ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`,
        this.generatedKeyHash ? [key, value] : [key, key, value],
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
    if (error instanceof TargetError) return error.classification;
    const code = String((error as { code?: string }).code ?? '');
    const message = error instanceof Error ? error.message : String(error);
    if (FATAL_CODES.has(code)) return 'fatal';
    if (
      CONNECTION_CODES.test(`${code} ${message}`) ||
      /Pool is closed|connection is in closed state/i.test(message)
    )
      return 'reconnect';
    return 'retry'; // deadlocks and lock waits among them
  }
}
