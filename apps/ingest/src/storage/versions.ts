// The versions table of a versioned bucket (schema.ts): noncurrent object
// versions and delete markers. Metadata calls these inside its transactions;
// nothing here commits on its own or touches the outbox.
import type Database from 'better-sqlite3';

/** An object row as SQLite returns it, from `objects` or (with delete_marker) from `versions`. */
export interface ObjectDbRow {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  content_type: string;
  headers: string;
  user_metadata: string;
  checksums: string;
  last_modified: string;
  data_file: string;
  tags: string;
  lock: string;
  version_id: string;
  version_seq: number;
  delete_marker?: number;
}

/** A row of a version listing: which table it came from tells whether it is current. */
export interface VersionListRow extends ObjectDbRow {
  delete_marker: number;
  is_latest: number;
}

const COLUMNS =
  'bucket, key, size, etag, content_type, headers, user_metadata, checksums, last_modified, data_file, tags, lock, version_id, version_seq';

/** Version ids are UUIDs (as MinIO gives them) or the literal `null`. */
const VERSION_ID = /^(null|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export function isWellFormedVersionId(versionId: string): boolean {
  return VERSION_ID.test(versionId);
}

export class VersionTable {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      archive: db.prepare(
        `INSERT INTO versions (${COLUMNS}, delete_marker) VALUES (@bucket, @key, @size, @etag, @content_type, @headers,
           @user_metadata, @checksums, @last_modified, @data_file, @tags, @lock, @version_id, @version_seq, 0)`,
      ),
      insertMarker: db.prepare(
        `INSERT INTO versions (${COLUMNS}, delete_marker)
         VALUES (?, ?, 0, '', '', '{}', '{}', '{}', ?, '', '{}', '{}', ?, ?, 1)`,
      ),
      find: db.prepare(
        `SELECT ${COLUMNS}, delete_marker FROM versions WHERE bucket = ? AND key = ? AND version_id = ?`,
      ),
      remove: db.prepare('DELETE FROM versions WHERE bucket = ? AND key = ? AND version_id = ?'),
      setTags: db.prepare('UPDATE versions SET tags = ? WHERE bucket = ? AND key = ? AND version_id = ?'),
      setLock: db.prepare('UPDATE versions SET lock = ? WHERE bucket = ? AND key = ? AND version_id = ?'),
      newest: db.prepare(
        `SELECT ${COLUMNS}, delete_marker FROM versions WHERE bucket = ? AND key = ? ORDER BY version_seq DESC LIMIT 1`,
      ),
      maxSeq: db.prepare('SELECT MAX(version_seq) AS seq FROM versions WHERE bucket = ? AND key = ?'),
      any: db.prepare('SELECT 1 FROM versions WHERE bucket = ? LIMIT 1'),
      // Every version of every key from a position on, key ascending and newest first:
      // the current objects (is_latest 1) and the versions table. A versions row is the
      // latest when its key has no current object and nothing newer.
      list: db.prepare(
        `SELECT * FROM (
           SELECT ${COLUMNS}, 0 AS delete_marker, 1 AS is_latest FROM objects WHERE bucket = @bucket AND key >= @from
           UNION ALL
           SELECT ${COLUMNS}, delete_marker,
             NOT EXISTS (SELECT 1 FROM objects o WHERE o.bucket = v.bucket AND o.key = v.key)
               AND version_seq = (SELECT MAX(version_seq) FROM versions w WHERE w.bucket = v.bucket AND w.key = v.key)
             AS is_latest
           FROM versions v WHERE bucket = @bucket AND key >= @from)
         WHERE key > @afterKey OR (key = @afterKey AND version_seq < @afterSeq)
         ORDER BY key, version_seq DESC LIMIT @limit`,
      ),
    };
  }

  /** Keeps a row that stops being current (its data stays referenced). */
  archive(row: ObjectDbRow): void {
    this.statements.archive.run(row);
  }

  insertMarker(
    bucket: string,
    key: string,
    versionId: string,
    versionSeq: number,
    lastModified: string,
  ): void {
    this.statements.insertMarker.run(bucket, key, lastModified, versionId, versionSeq);
  }

  find(bucket: string, key: string, versionId: string): ObjectDbRow | undefined {
    return this.statements.find.get(bucket, key, versionId) as ObjectDbRow | undefined;
  }

  remove(bucket: string, key: string, versionId: string): void {
    this.statements.remove.run(bucket, key, versionId);
  }

  /** Sets a version's tags or lock (JSON). */
  setAttribute(column: 'tags' | 'lock', bucket: string, key: string, versionId: string, value: string): void {
    (column === 'tags' ? this.statements.setTags : this.statements.setLock).run(
      value,
      bucket,
      key,
      versionId,
    );
  }

  newest(bucket: string, key: string): ObjectDbRow | undefined {
    return this.statements.newest.get(bucket, key) as ObjectDbRow | undefined;
  }

  /** The seq for a key's next version: above the current object's and every kept version's. */
  nextSeq(bucket: string, key: string, currentSeq = 0): number {
    const { seq } = this.statements.maxSeq.get(bucket, key) as { seq: number | null };
    return Math.max(currentSeq, seq ?? 0) + 1;
  }

  any(bucket: string): boolean {
    return this.statements.any.get(bucket) !== undefined;
  }

  /**
   * Up to `limit` versions with key >= from, after the position (afterKey, afterSeq): keys after
   * afterKey, and afterKey's own versions older than afterSeq (undefined: none of afterKey's).
   */
  list(
    bucket: string,
    from: string,
    afterKey: string,
    afterSeq: number | undefined,
    limit: number,
  ): VersionListRow[] {
    return this.statements.list.all({
      bucket,
      from,
      afterKey,
      afterSeq: afterSeq ?? -1,
      limit,
    }) as VersionListRow[];
  }
}
