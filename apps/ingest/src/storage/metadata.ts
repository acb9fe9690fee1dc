// Durable metadata in SQLite (better-sqlite3, WAL). Every method that changes
// an object also inserts its outbox row in the same transaction, so a mutation
// is committed together with its event record or not at all.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MutationRecord } from '@bucket-events/contracts';
import Database from 'better-sqlite3';
import { type Atomic, atomicOn } from './atomic.ts';
import { SCHEMA } from './schema.ts';
import { type ObjectDbRow, type VersionListRow, VersionTable } from './versions.ts';

/** A bucket's versioning state: '' when it was never versioned. */
export type Versioning = '' | 'Enabled' | 'Suspended';

export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

/** An object version's lock: retention (mode and date) and legal hold, each only once set. */
export interface ObjectLock {
  mode?: RetentionMode;
  /** ISO 8601. */
  retainUntil?: string;
  legalHold?: 'ON' | 'OFF';
}

/** A bucket's object lock configuration: enabled, with a default retention for new versions or none. */
export interface ObjectLockConfig {
  rule?: { mode: RetentionMode; days?: number; years?: number };
}

export interface BucketRow {
  name: string;
  createdAt: string;
  notificationVersion: number;
  versioning: Versioning;
  /** Set for a bucket created with object lock. */
  objectLock?: ObjectLockConfig;
}

interface BucketDbRow {
  name: string;
  created_at: string;
  notification_version: number;
  versioning: Versioning;
  object_lock: string;
}

function toBucketRow(row: BucketDbRow): BucketRow {
  return {
    name: row.name,
    createdAt: row.created_at,
    notificationVersion: row.notification_version,
    versioning: row.versioning,
    ...(row.object_lock !== '' ? { objectLock: JSON.parse(row.object_lock) as ObjectLockConfig } : {}),
  };
}

export interface ObjectMeta {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  contentType: string;
  /** Standard headers stored with the object (cache-control, content-disposition, …). */
  headers: Record<string, string>;
  userMetadata: Record<string, string>;
  /** e.g. `{ crc32: 'DUoRhQ==' }`, base64 as S3 returns them. */
  checksums: Record<string, string>;
  lastModified: string;
  dataFile: string;
  /** Object tags (PutObjectTagging, `x-amz-tagging`); none when absent. */
  tags?: Record<string, string>;
  /** Set by the store: a UUID, or 'null' (never-versioned or suspended buckets). */
  versionId?: string;
  /** Object lock (retention, legal hold), in a bucket with object lock. */
  lock?: ObjectLock;
}

/** One version of a key: an object version or a delete marker. */
export interface VersionMeta extends ObjectMeta {
  versionId: string;
  deleteMarker: boolean;
  /** Orders the key's versions (newest highest); a version listing resumes after it. */
  versionSeq: number;
}

/** A row of ListObjectVersions. */
export interface ListedVersion extends VersionMeta {
  isLatest: boolean;
}

/** What DeleteObject did: the version it removed or the delete marker it made. */
export interface DeleteOutcome {
  removed: boolean;
  evented: boolean;
  /** The version removed or the marker created (absent for never-versioned buckets' keys). */
  versionId?: string;
  /** A delete marker was created or removed. */
  deleteMarker: boolean;
}

/** A mutation record before commit: the outbox row gives it id, sequencer and config version. */
export type MutationDraft = Omit<MutationRecord, 'id' | 'sequencer' | 'configVersion' | 'schemaVersion'>;

export interface UploadRow {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: string;
  contentType: string;
  headers: Record<string, string>;
  userMetadata: Record<string, string>;
  checksumAlgorithm: string | null;
  /** How the completed object's checksum is made from the parts' (x-amz-checksum-type). */
  checksumType?: 'COMPOSITE' | 'FULL_OBJECT' | null;
  /** `x-amz-tagging` of CreateMultipartUpload: the completed object's tags. */
  tags?: Record<string, string>;
  /** `x-amz-object-lock-*` of CreateMultipartUpload: the completed object's lock. */
  lock?: ObjectLock;
}

export interface PartRow {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: string;
  dataFile: string;
  /** Base64, in the upload's checksum algorithm (when it has one). */
  checksum?: string | null;
}

export interface OutboxRow {
  id: number;
  kind: 'mutation' | 'config';
  payload: string;
}

/** Data names of objects whose bytes live in the `inline_data` table, not in a file. */
export const INLINE_PREFIX = 'inline:';

export function isInline(dataName: string): boolean {
  return dataName.startsWith(INLINE_PREFIX);
}

/** Data names of multipart objects whose bytes are their parts' files (the `composite_data` table). */
export const COMPOSITE_PREFIX = 'parts:';

export function isComposite(dataName: string): boolean {
  return dataName.startsWith(COMPOSITE_PREFIX);
}

/** One data file of a multipart object, in order. */
export interface CompositePiece {
  dataFile: string;
  size: number;
}

/** A part named in CompleteMultipartUpload was replaced or removed while the upload completed. */
export class PartChangedError extends Error {
  constructor(readonly partNumber: number) {
    super(`part ${partNumber} changed while the upload completed`);
  }
}

export class NoSuchBucketError extends Error {
  constructor(readonly bucket: string) {
    super(`no such bucket: ${bucket}`);
  }
}

function toObjectMeta(row: ObjectDbRow): ObjectMeta {
  return {
    bucket: row.bucket,
    key: row.key,
    size: row.size,
    etag: row.etag,
    contentType: row.content_type,
    headers: JSON.parse(row.headers),
    userMetadata: JSON.parse(row.user_metadata),
    checksums: JSON.parse(row.checksums),
    lastModified: row.last_modified,
    dataFile: row.data_file,
    tags: JSON.parse(row.tags),
    versionId: row.version_id,
    lock: JSON.parse(row.lock),
  };
}

function toVersionMeta(row: ObjectDbRow): VersionMeta {
  return {
    ...toObjectMeta(row),
    versionId: row.version_id,
    deleteMarker: row.delete_marker === 1,
    versionSeq: row.version_seq,
  };
}

/** What a namespace view shows for the key once this version is current. */
function viewFacts(row: ObjectDbRow): NonNullable<Exclude<MutationDraft['current'], 'unchanged'>> {
  const meta = toObjectMeta(row);
  return {
    size: meta.size,
    eTag: meta.etag,
    contentType: meta.contentType,
    userMetadata: meta.userMetadata,
    versionId: row.version_id,
  };
}

/** The version id an event carries: none for 'null' versions, as MinIO sends none for them. */
function eventVersionId(versionId: string | undefined): { versionId?: string } {
  return versionId !== undefined && versionId !== 'null' ? { versionId } : {};
}

/** Columns added after the first release, with their definitions; added once to older databases. */
const ADDED_COLUMNS: [table: string, column: string, definition: string][] = [
  ['objects', 'tags', "TEXT NOT NULL DEFAULT '{}'"],
  ['uploads', 'tags', "TEXT NOT NULL DEFAULT '{}'"],
  ['buckets', 'versioning', "TEXT NOT NULL DEFAULT ''"],
  ['objects', 'version_id', "TEXT NOT NULL DEFAULT 'null'"],
  ['objects', 'version_seq', 'INTEGER NOT NULL DEFAULT 0'],
  ['buckets', 'object_lock', "TEXT NOT NULL DEFAULT ''"],
  ['objects', 'lock', "TEXT NOT NULL DEFAULT '{}'"],
  ['versions', 'lock', "TEXT NOT NULL DEFAULT '{}'"],
  ['uploads', 'lock', "TEXT NOT NULL DEFAULT '{}'"],
  ['uploads', 'checksum_type', 'TEXT'],
  ['parts', 'checksum', 'TEXT'],
];

/**
 * A new store's outbox ids (its sequencers) start at its creation time in microseconds: above any
 * id an earlier store on this machine gave out, which would have needed more than a million
 * commits a second since it was created. Stores made before this keep their numbering.
 */
function startAboveEarlierStores(db: Database.Database, nowMs: number): void {
  db.prepare("INSERT INTO store_info (name, value) VALUES ('created_ms', ?)").run(nowMs);
  db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)").run(nowMs * 1000);
}

export class Metadata {
  readonly db: Database.Database;
  private readonly statements;
  /** Runs work in a transaction (a savepoint inside one); the commit group shares it. */
  readonly atomically: Atomic;
  /** Existing buckets' rows by name; every change to a bucket row forgets its entry. */
  private readonly buckets = new Map<string, BucketRow>();
  private readonly versions: VersionTable;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'metadata.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives the process being killed; only an
    // OS crash or power loss could lose the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    const fresh = this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").get() === undefined;
    this.db.exec(SCHEMA);
    if (fresh) startAboveEarlierStores(this.db, Date.now());
    // Databases from before object tags and versioning: the columns are added once, with defaults.
    const columnsOf = new Map<string, Set<string>>();
    for (const [table, column, definition] of ADDED_COLUMNS) {
      let columns = columnsOf.get(table);
      if (!columns) {
        const rows = this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
        columns = new Set(rows.map(({ name }) => name));
        columnsOf.set(table, columns);
      }
      if (!columns.has(column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    }
    const db = this.db;
    this.versions = new VersionTable(db);
    this.atomically = atomicOn(db);
    this.statements = {
      getBucket: db.prepare(
        'SELECT name, created_at, notification_version, versioning, object_lock FROM buckets WHERE name = ?',
      ),
      insertBucket: db.prepare(
        'INSERT INTO buckets (name, created_at, versioning, object_lock) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      setObjectLock: db.prepare('UPDATE buckets SET object_lock = ? WHERE name = ?'),
      listBuckets: db.prepare(
        'SELECT name, created_at, notification_version, versioning, object_lock FROM buckets ORDER BY name',
      ),
      setVersioning: db.prepare('UPDATE buckets SET versioning = ? WHERE name = ?'),
      deleteBucket: db.prepare('DELETE FROM buckets WHERE name = ?'),
      anyObject: db.prepare('SELECT 1 FROM objects WHERE bucket = ? LIMIT 1'),
      getObject: db.prepare('SELECT * FROM objects WHERE bucket = ? AND key = ?'),
      upsertObject:
        db.prepare(`INSERT INTO objects (bucket, key, size, etag, content_type, headers, user_metadata, checksums, last_modified, data_file, tags, lock, version_id, version_seq)
        VALUES (@bucket, @key, @size, @etag, @contentType, @headers, @userMetadata, @checksums, @lastModified, @dataFile, @tags, @lock, @versionId, @versionSeq)
        ON CONFLICT (bucket, key) DO UPDATE SET size = excluded.size, etag = excluded.etag, content_type = excluded.content_type,
          headers = excluded.headers, user_metadata = excluded.user_metadata, checksums = excluded.checksums,
          last_modified = excluded.last_modified, data_file = excluded.data_file, tags = excluded.tags, lock = excluded.lock,
          version_id = excluded.version_id, version_seq = excluded.version_seq`),
      insertObjectRow:
        db.prepare(`INSERT INTO objects (bucket, key, size, etag, content_type, headers, user_metadata, checksums, last_modified, data_file, tags, lock, version_id, version_seq)
        VALUES (@bucket, @key, @size, @etag, @content_type, @headers, @user_metadata, @checksums, @last_modified, @data_file, @tags, @lock, @version_id, @version_seq)`),
      setTags: db.prepare('UPDATE objects SET tags = ? WHERE bucket = ? AND key = ?'),
      setLock: db.prepare('UPDATE objects SET lock = ? WHERE bucket = ? AND key = ?'),
      getBucketTags: db.prepare('SELECT tags FROM bucket_tags WHERE bucket = ?'),
      putBucketTags: db.prepare(
        'INSERT INTO bucket_tags (bucket, tags) VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE SET tags = excluded.tags',
      ),
      deleteBucketTags: db.prepare('DELETE FROM bucket_tags WHERE bucket = ?'),
      deleteObject: db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ? RETURNING data_file'),
      deleteObjectRow: db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?'),
      listObjects: db.prepare(
        'SELECT * FROM objects WHERE bucket = ? AND key > ? AND key >= ? ORDER BY key LIMIT ?',
      ),
      insertGarbage: db.prepare('INSERT INTO garbage (data_file) VALUES (?) ON CONFLICT DO NOTHING'),
      insertInline: db.prepare('INSERT INTO inline_data (name, data) VALUES (?, ?)'),
      getInline: db.prepare('SELECT data FROM inline_data WHERE name = ?'),
      deleteInline: db.prepare('DELETE FROM inline_data WHERE name = ?'),
      listGarbage: db.prepare('SELECT data_file FROM garbage'),
      deleteGarbage: db.prepare('DELETE FROM garbage WHERE data_file = ?'),
      insertPiece: db.prepare('INSERT INTO composite_data (name, seq, data_file, size) VALUES (?, ?, ?, ?)'),
      pieces: db.prepare('SELECT data_file, size FROM composite_data WHERE name = ? ORDER BY seq'),
      deletePieces: db.prepare('DELETE FROM composite_data WHERE name = ? RETURNING data_file'),
      insertOutbox: db.prepare('INSERT INTO outbox (kind, payload) VALUES (?, ?)'),
      readOutbox: db.prepare('SELECT id, kind, payload FROM outbox ORDER BY id LIMIT ?'),
      readOutboxThrough: db.prepare('SELECT id, kind, payload FROM outbox WHERE id <= ? ORDER BY id'),
      deleteOutboxThrough: db.prepare('DELETE FROM outbox WHERE id <= ?'),
      getRelayRound: db.prepare('SELECT last_id FROM relay_round WHERE id = 1'),
      setRelayRound: db.prepare('INSERT OR REPLACE INTO relay_round (id, last_id) VALUES (1, ?)'),
      clearRelayRound: db.prepare('DELETE FROM relay_round WHERE id = 1'),
      countOutbox: db.prepare('SELECT count(*) AS n FROM outbox'),
      oldestOutboxCommit: db.prepare(
        "SELECT json_extract(payload, '$.eventTime') AS t FROM outbox WHERE kind = 'mutation' ORDER BY id LIMIT 1",
      ),
      getNotification: db.prepare(
        'SELECT version, config FROM notification_configs WHERE bucket = ? AND version = ?',
      ),
      insertNotification: db.prepare(
        'INSERT INTO notification_configs (bucket, version, config) VALUES (?, ?, ?)',
      ),
      bumpNotificationVersion: db.prepare(
        // Versions are never reused, even by a bucket re-created under an old name: the
        // router caches published versions by (bucket, version).
        // A store's first versions start above its creation time (store_info, schema.ts).
        `UPDATE buckets SET notification_version = 1 + MAX(notification_version,
           COALESCE((SELECT MAX(version) FROM notification_configs WHERE bucket = @bucket), 0),
           COALESCE((SELECT value FROM store_info WHERE name = 'created_ms'), 0))
         WHERE name = @bucket RETURNING notification_version`,
      ),
      insertUpload:
        db.prepare(`INSERT INTO uploads (upload_id, bucket, key, initiated, content_type, headers, user_metadata, checksum_algorithm, checksum_type, tags, lock)
        VALUES (@uploadId, @bucket, @key, @initiated, @contentType, @headers, @userMetadata, @checksumAlgorithm, @checksumType, @tags, @lock)`),
      getUpload: db.prepare('SELECT * FROM uploads WHERE upload_id = ?'),
      deleteUpload: db.prepare('DELETE FROM uploads WHERE upload_id = ?'),
      listUploads: db.prepare(
        'SELECT * FROM uploads WHERE bucket = ? AND key >= ? ORDER BY key, initiated, upload_id',
      ),
      deleteBucketUploads: db.prepare('DELETE FROM uploads WHERE bucket = ? RETURNING upload_id'),
      upsertPart:
        db.prepare(`INSERT INTO parts (upload_id, part_number, size, etag, last_modified, data_file, checksum)
        VALUES (@uploadId, @partNumber, @size, @etag, @lastModified, @dataFile, @checksum)
        ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size, etag = excluded.etag,
          last_modified = excluded.last_modified, data_file = excluded.data_file, checksum = excluded.checksum`),
      getPart: db.prepare('SELECT data_file FROM parts WHERE upload_id = ? AND part_number = ?'),
      listParts: db.prepare(
        'SELECT * FROM parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?',
      ),
      allParts: db.prepare('SELECT * FROM parts WHERE upload_id = ? ORDER BY part_number'),
      deleteParts: db.prepare('DELETE FROM parts WHERE upload_id = ? RETURNING data_file'),
    };
  }

  close() {
    this.db.close();
  }

  // --- buckets --------------------------------------------------------------

  getBucket(name: string): BucketRow | undefined {
    const cached = this.buckets.get(name);
    if (cached) return cached;
    const row = this.statements.getBucket.get(name) as BucketDbRow | undefined;
    const bucket = row && toBucketRow(row);
    // Not cached inside a transaction (it may still roll back), nor a miss (any name can be asked for).
    if (bucket && !this.db.inTransaction) this.buckets.set(name, bucket);
    return bucket;
  }

  /** False when the bucket already existed. A bucket with object lock is versioned from the start. */
  createBucket(name: string, createdAt: string, options: { objectLock?: boolean } = {}): boolean {
    this.buckets.delete(name);
    const lock = options.objectLock === true;
    return (
      this.statements.insertBucket.run(name, createdAt, lock ? 'Enabled' : '', lock ? '{}' : '').changes === 1
    );
  }

  /** Replaces the object lock configuration of a bucket that has object lock. */
  setObjectLockConfig(bucket: string, config: ObjectLockConfig): void {
    this.buckets.delete(bucket);
    this.atomically(() => {
      this.requireBucket(bucket);
      this.statements.setObjectLock.run(JSON.stringify(config), bucket);
    });
  }

  listBuckets(): BucketRow[] {
    return (this.statements.listBuckets.all() as BucketDbRow[]).map(toBucketRow);
  }

  /** Enables or suspends versioning (a bucket once versioned never goes back to ''). */
  setVersioning(bucket: string, status: 'Enabled' | 'Suspended'): void {
    this.buckets.delete(bucket);
    this.atomically(() => {
      this.requireBucket(bucket);
      this.statements.setVersioning.run(status, bucket);
    });
  }

  /** Deletes an empty bucket (and its abandoned uploads); reports why not otherwise. */
  deleteBucket(name: string): 'deleted' | 'missing' | 'not-empty' {
    this.buckets.delete(name);
    return this.atomically(() => {
      if (!this.getBucket(name)) return 'missing';
      if (this.statements.anyObject.get(name) || this.versions.any(name)) return 'not-empty';
      for (const { upload_id } of this.statements.deleteBucketUploads.all(name) as { upload_id: string }[]) {
        for (const { data_file } of this.statements.deleteParts.all(upload_id) as { data_file: string }[]) {
          this.release(data_file);
        }
      }
      this.statements.deleteBucket.run(name);
      this.statements.deleteBucketTags.run(name);
      return 'deleted';
    });
  }

  /** The bucket's tags; undefined when it has none (S3's NoSuchTagSet). */
  bucketTags(bucket: string): Record<string, string> | undefined {
    const row = this.statements.getBucketTags.get(bucket) as { tags: string } | undefined;
    return row ? JSON.parse(row.tags) : undefined;
  }

  /** Replaces the bucket's tags (none: removes them). No event: S3 and MinIO send none for bucket tags. */
  setBucketTags(bucket: string, tags: Record<string, string>): void {
    this.atomically(() => {
      this.requireBucket(bucket);
      if (Object.keys(tags).length === 0) this.statements.deleteBucketTags.run(bucket);
      else this.statements.putBucketTags.run(bucket, JSON.stringify(tags));
    });
  }

  // --- objects --------------------------------------------------------------

  getObject(bucket: string, key: string): ObjectMeta | undefined {
    const row = this.statements.getObject.get(bucket, key) as ObjectDbRow | undefined;
    return row && toObjectMeta(row);
  }

  /** One version of a key, current or not; undefined when the key has no such version. */
  getVersion(bucket: string, key: string, versionId: string): VersionMeta | undefined {
    const current = this.statements.getObject.get(bucket, key) as ObjectDbRow | undefined;
    if (current?.version_id === versionId) return toVersionMeta(current);
    const row = this.versions.find(bucket, key, versionId);
    return row && toVersionMeta(row);
  }

  /** The delete marker that hides a key, when its newest version is one. */
  currentDeleteMarker(bucket: string, key: string): VersionMeta | undefined {
    if (this.statements.getObject.get(bucket, key)) return undefined;
    const newest = this.versions.newest(bucket, key);
    return newest?.delete_marker === 1 ? toVersionMeta(newest) : undefined;
  }

  /** Versions in (key, newest first) order with key >= from, after (afterKey, afterSeq); see VersionTable.list. */
  listVersions(
    bucket: string,
    from: string,
    afterKey: string,
    afterSeq: number | undefined,
    limit: number,
  ): ListedVersion[] {
    return this.versions.list(bucket, from, afterKey, afterSeq, limit).map((row: VersionListRow) => ({
      ...toVersionMeta(row),
      isLatest: row.is_latest === 1,
    }));
  }

  /** Objects in key order with key > after and key >= from (both may be ''). */
  listObjects(bucket: string, after: string, from: string, limit: number): ObjectMeta[] {
    return (this.statements.listObjects.all(bucket, after, from, limit) as ObjectDbRow[]).map(toObjectMeta);
  }

  /**
   * Points the key at new data and commits its mutation record: a data file
   * already durable, or `inline` bytes stored in the same transaction under
   * meta.dataFile (an inline name). Returns the data it replaced (released).
   * `precondition` may throw (conditional writes) to commit nothing.
   */
  commitPut(
    meta: ObjectMeta,
    mutation: MutationDraft,
    inline?: Buffer,
    precondition?: (current: ObjectMeta | undefined) => void,
  ): { replaced?: string; outboxId: number; versionId: string } {
    return this.atomically(() => {
      const bucket = this.requireBucket(meta.bucket);
      const previous = this.statements.getObject.get(meta.bucket, meta.key) as ObjectDbRow | undefined;
      // Checked against the row this commit replaces, in its transaction: no other write can slip between.
      precondition?.(previous ? toObjectMeta(previous) : undefined);
      if (inline) this.statements.insertInline.run(meta.dataFile, inline);
      const { versionId, versionSeq, kept } = this.makeRoomForNewest(bucket, meta.key, previous);
      this.statements.upsertObject.run(this.objectParams(meta, versionId, versionSeq));
      const replaced = previous && !kept ? previous.data_file : undefined;
      if (replaced !== undefined && replaced !== meta.dataFile) this.release(replaced);
      const outboxId = this.insertMutation(mutation, bucket.notificationVersion, eventVersionId(versionId));
      return { replaced, outboxId, versionId };
    });
  }

  /**
   * Before a new newest version of a key (an object or a delete marker): its version id and seq.
   * In a versioned bucket the current object is kept as a noncurrent version — unless both it and
   * the new one are the 'null' version (suspended versioning overwrites that) — and any other
   * 'null' version goes. `kept` says whether the previous current object's data stays referenced.
   */
  private makeRoomForNewest(
    bucket: BucketRow,
    key: string,
    previous: ObjectDbRow | undefined,
  ): { versionId: string; versionSeq: number; kept: boolean } {
    if (bucket.versioning === '') return { versionId: 'null', versionSeq: 0, kept: false };
    const versionSeq = this.versions.nextSeq(bucket.name, key, previous?.version_seq);
    const versionId = bucket.versioning === 'Enabled' ? randomUUID() : 'null';
    if (versionId === 'null') {
      const nullVersion = this.versions.find(bucket.name, key, 'null');
      if (nullVersion) {
        this.versions.remove(bucket.name, key, 'null');
        if (nullVersion.delete_marker !== 1) this.release(nullVersion.data_file);
      }
    }
    const kept = previous !== undefined && !(previous.version_id === 'null' && versionId === 'null');
    if (kept) this.versions.archive(previous);
    return { versionId, versionSeq, kept };
  }

  /**
   * DeleteObject, and commits its mutation record (built for the event the deletion is). Without
   * a version id: a never-versioned bucket's key is removed; a versioned bucket's gets a delete
   * marker as its newest version. With one: that version goes for good, and the next newest
   * becomes current. When there was nothing to remove, commits the `noop` record instead, if one
   * is given (DeleteObject's `s3:ObjectRemoved:NoOP`).
   */
  commitDelete(
    bucket: string,
    key: string,
    versionId: string | undefined,
    mutation: (
      eventName: 's3:ObjectRemoved:Delete' | 's3:ObjectRemoved:DeleteMarkerCreated',
    ) => MutationDraft,
    noop?: () => MutationDraft,
    /** Called with a version about to go for good (object lock); throws to refuse. */
    guard: (version: VersionMeta) => void = () => {},
  ): DeleteOutcome {
    return this.atomically(() => {
      const row = this.requireBucket(bucket);
      const current = this.statements.getObject.get(bucket, key) as ObjectDbRow | undefined;
      const commit = (draft: MutationDraft) => this.insertMutation(draft, row.notificationVersion);
      if (versionId === undefined && row.versioning !== '') {
        const marker = this.makeRoomForNewest(row, key, current);
        if (current) {
          this.statements.deleteObjectRow.run(bucket, key);
          if (!marker.kept) this.release(current.data_file);
        }
        const draft = mutation('s3:ObjectRemoved:DeleteMarkerCreated');
        this.versions.insertMarker(bucket, key, marker.versionId, marker.versionSeq, draft.eventTime);
        commit({ ...draft, ...eventVersionId(marker.versionId) });
        return {
          removed: current !== undefined,
          evented: true,
          versionId: marker.versionId,
          deleteMarker: true,
        };
      }
      const nothing = (): DeleteOutcome => {
        if (noop) commit(noop());
        return { removed: false, evented: noop !== undefined, deleteMarker: false };
      };
      if (current && (versionId === undefined || current.version_id === versionId)) {
        guard(toVersionMeta(current));
        this.statements.deleteObjectRow.run(bucket, key);
        this.release(current.data_file);
        const promoted = this.promoteNewest(bucket, key);
        commit({
          ...mutation('s3:ObjectRemoved:Delete'),
          ...eventVersionId(versionId),
          ...(promoted ? { current: viewFacts(promoted) } : {}),
        });
        return { removed: true, evented: true, versionId, deleteMarker: false };
      }
      if (versionId === undefined) return nothing();
      const version = this.versions.find(bucket, key, versionId);
      if (!version) return nothing();
      guard(toVersionMeta(version));
      this.versions.remove(bucket, key, versionId);
      const wasMarker = version.delete_marker === 1;
      if (!wasMarker) this.release(version.data_file);
      // Only removing the marker that hid the key changes what the key shows.
      const newest = this.versions.newest(bucket, key);
      const wasNewest = !current && (newest === undefined || newest.version_seq < version.version_seq);
      const promoted = wasNewest ? this.promoteNewest(bucket, key) : undefined;
      commit({
        ...mutation('s3:ObjectRemoved:Delete'),
        ...eventVersionId(versionId),
        current: promoted ? viewFacts(promoted) : wasNewest ? undefined : 'unchanged',
      });
      return { removed: true, evented: true, versionId, deleteMarker: wasMarker };
    });
  }

  /** After the current version went: the newest remaining one becomes current, unless it is a delete marker. */
  private promoteNewest(bucket: string, key: string): ObjectDbRow | undefined {
    const newest = this.versions.newest(bucket, key);
    if (!newest || newest.delete_marker === 1) return undefined;
    this.versions.remove(bucket, key, newest.version_id);
    const { delete_marker: _, ...row } = newest;
    this.statements.insertObjectRow.run(row);
    return newest;
  }

  /**
   * Changes the tags or the lock of an object (its current version, or the version named) and
   * commits its record together; `update` gets the object as it is and returns the new value (it
   * may throw to refuse the change), `mutation` builds the record from it. False when there is no
   * such object or version.
   */
  commitAttribute<Column extends 'tags' | 'lock'>(
    bucket: string,
    key: string,
    versionId: string | undefined,
    column: Column,
    update: (object: ObjectMeta) => NonNullable<ObjectMeta[Column]>,
    mutation: (object: ObjectMeta) => MutationDraft,
  ): boolean {
    return this.atomically(() => {
      const row = this.requireBucket(bucket);
      const current = this.statements.getObject.get(bucket, key) as ObjectDbRow | undefined;
      const commit = (draft: MutationDraft) => this.insertMutation(draft, row.notificationVersion);
      if (current && (versionId === undefined || current.version_id === versionId)) {
        const meta = toObjectMeta(current);
        const value = JSON.stringify(update(meta));
        (column === 'tags' ? this.statements.setTags : this.statements.setLock).run(value, bucket, key);
        commit({ ...mutation(meta), ...eventVersionId(current.version_id) });
        return true;
      }
      const version = versionId === undefined ? undefined : this.versions.find(bucket, key, versionId);
      if (!version || version.delete_marker === 1) return false;
      const meta = toObjectMeta(version);
      this.versions.setAttribute(column, bucket, key, version.version_id, JSON.stringify(update(meta)));
      // A noncurrent version's change: what the key shows does not change.
      commit({ ...mutation(meta), ...eventVersionId(version.version_id), current: 'unchanged' });
      return true;
    });
  }

  /** An ObjectAccessed record: nothing changes but the outbox. */
  commitAccess(mutation: MutationDraft): void {
    this.atomically(() => {
      const row = this.requireBucket(mutation.bucket);
      this.insertMutation(mutation, row.notificationVersion);
    });
  }

  // --- notification configuration -------------------------------------------

  /** The bucket's current configuration (JSON text), or undefined when never set or emptied. */
  getNotification(bucket: string): { version: number; config: string } | undefined {
    const row = this.getBucket(bucket);
    if (!row || row.notificationVersion === 0) return undefined;
    return this.statements.getNotification.get(bucket, row.notificationVersion) as
      | { version: number; config: string }
      | undefined;
  }

  /** Stores a new immutable version and queues its publication ahead of any record that uses it. */
  putNotification(bucket: string, config: string): number {
    this.buckets.delete(bucket);
    return this.atomically(() => {
      this.requireBucket(bucket);
      const { notification_version: version } = this.statements.bumpNotificationVersion.get({ bucket }) as {
        notification_version: number;
      };
      this.statements.insertNotification.run(bucket, version, config);
      this.statements.insertOutbox.run(
        'config',
        JSON.stringify({ bucket, version, config: JSON.parse(config) }),
      );
      return version;
    });
  }

  // --- multipart uploads -----------------------------------------------------

  createUpload(upload: UploadRow): void {
    this.atomically(() => {
      this.requireBucket(upload.bucket);
      this.statements.insertUpload.run({
        ...upload,
        headers: JSON.stringify(upload.headers),
        userMetadata: JSON.stringify(upload.userMetadata),
        tags: JSON.stringify(upload.tags ?? {}),
        lock: JSON.stringify(upload.lock ?? {}),
        checksumType: upload.checksumType ?? null,
      });
    });
  }

  getUpload(uploadId: string): UploadRow | undefined {
    const row = this.statements.getUpload.get(uploadId) as Record<string, string | null> | undefined;
    return row && this.toUpload(row);
  }

  listUploads(bucket: string, fromKey: string): UploadRow[] {
    return (this.statements.listUploads.all(bucket, fromKey) as Record<string, string | null>[]).map((row) =>
      this.toUpload(row),
    );
  }

  /** Records a part; returns the data file of the part it replaced, if any. */
  putPart(uploadId: string, part: PartRow): { replaced?: string } | undefined {
    return this.atomically(() => {
      if (!this.statements.getUpload.get(uploadId)) return undefined;
      const previous = this.statements.getPart.get(uploadId, part.partNumber) as
        | { data_file: string }
        | undefined;
      this.statements.upsertPart.run({ uploadId, ...part, checksum: part.checksum ?? null });
      if (previous) this.release(previous.data_file);
      return { replaced: previous?.data_file };
    });
  }

  listParts(uploadId: string, afterPart: number, limit: number): PartRow[] {
    return (
      this.statements.listParts.all(uploadId, afterPart, limit) as Record<string, string | number>[]
    ).map(toPart);
  }

  allParts(uploadId: string): PartRow[] {
    return (this.statements.allParts.all(uploadId) as Record<string, string | number>[]).map(toPart);
  }

  /** Removes an upload and queues its part files for removal; false when unknown. */
  abortUpload(uploadId: string): boolean {
    return this.atomically(() => {
      if (this.statements.deleteUpload.run(uploadId).changes === 0) return false;
      for (const { data_file } of this.statements.deleteParts.all(uploadId) as { data_file: string }[]) {
        this.release(data_file);
      }
      return true;
    });
  }

  /**
   * Turns an upload into the object in one commit; the object's version id, or undefined when the
   * upload is unknown. The object's bytes are either a file already made of the parts (meta.dataFile
   * a data file), or — with `parts` — the named parts' own files, kept under meta.dataFile (a
   * composite name) in order; each must still be the part with that ETag (else PartChangedError).
   * Parts not named are released.
   */
  completeUpload(
    uploadId: string,
    meta: ObjectMeta,
    mutation: MutationDraft,
    parts?: readonly { partNumber: number; etag: string }[],
  ): string | undefined {
    return this.atomically(() => {
      if (!this.statements.getUpload.get(uploadId)) return undefined;
      const kept = new Set<string>();
      if (parts) {
        const stored = new Map(this.allParts(uploadId).map((part) => [part.partNumber, part]));
        parts.forEach(({ partNumber, etag }, seq) => {
          const part = stored.get(partNumber);
          if (!part || part.etag !== etag) throw new PartChangedError(partNumber);
          this.statements.insertPiece.run(meta.dataFile, seq, part.dataFile, part.size);
          kept.add(part.dataFile);
        });
      }
      this.statements.deleteUpload.run(uploadId);
      for (const { data_file } of this.statements.deleteParts.all(uploadId) as { data_file: string }[]) {
        if (!kept.has(data_file)) this.release(data_file);
      }
      return this.commitPut(meta, mutation).versionId;
    });
  }

  /** A multipart object's data files, in order. */
  compositePieces(name: string): CompositePiece[] {
    return (this.statements.pieces.all(name) as { data_file: string; size: number }[]).map((row) => ({
      dataFile: row.data_file,
      size: row.size,
    }));
  }

  // --- outbox and garbage ----------------------------------------------------

  /** The bytes of an inline object (undefined once released). */
  readInline(name: string): Buffer | undefined {
    return (this.statements.getInline.get(name) as { data: Buffer } | undefined)?.data;
  }

  /**
   * The rows of the relay's next round: the round left unfinished (by a crash or a
   * Redis outage) if there is one, exactly as it was, else up to `limit` rows from
   * the head, recorded as the round in flight.
   */
  beginRelayRound(limit: number): OutboxRow[] {
    return this.atomically(() => {
      const open = this.statements.getRelayRound.get() as { last_id: number } | undefined;
      if (open) return this.statements.readOutboxThrough.all(open.last_id) as OutboxRow[];
      const rows = this.statements.readOutbox.all(limit) as OutboxRow[];
      const last = rows.at(-1);
      if (last) this.statements.setRelayRound.run(last.id);
      return rows;
    });
  }

  /**
   * The round through `lastId` reached Redis: its rows and the round record go,
   * and the next round begins in the same transaction (its rows are returned).
   * A `nextLimit` of 0 begins none.
   */
  endRelayRound(lastId: number, nextLimit: number): OutboxRow[] {
    return this.atomically(() => {
      this.statements.deleteOutboxThrough.run(lastId);
      this.statements.clearRelayRound.run();
      return nextLimit > 0 ? this.beginRelayRound(nextLimit) : [];
    });
  }

  outboxSize(): number {
    return (this.statements.countOutbox.get() as { n: number }).n;
  }

  /** When the oldest mutation still in the outbox was committed (ms since the epoch); undefined when none waits. */
  oldestOutboxCommit(): number | undefined {
    const row = this.statements.oldestOutboxCommit.get() as { t: string | null } | undefined;
    const time = row?.t ? Date.parse(row.t) : Number.NaN;
    return Number.isNaN(time) ? undefined : time;
  }

  garbage(): string[] {
    return (this.statements.listGarbage.all() as { data_file: string }[]).map((row) => row.data_file);
  }

  forgetGarbage(dataFile: string): void {
    this.statements.deleteGarbage.run(dataFile);
  }

  // --- helpers ----------------------------------------------------------------

  /**
   * Data no longer referenced: inline bytes go with this transaction, a file after it (garbage), a
   * multipart object's files likewise.
   */
  private release(dataName: string): void {
    if (isInline(dataName)) this.statements.deleteInline.run(dataName);
    else if (isComposite(dataName)) {
      for (const { data_file } of this.statements.deletePieces.all(dataName) as { data_file: string }[])
        this.statements.insertGarbage.run(data_file);
    } else this.statements.insertGarbage.run(dataName);
  }

  private requireBucket(name: string): BucketRow {
    const bucket = this.getBucket(name);
    if (!bucket) throw new NoSuchBucketError(name);
    return bucket;
  }

  /** `extra`: fields the store adds to the handler's draft (the version id), in the same one copy. */
  private insertMutation(
    mutation: MutationDraft,
    configVersion: number,
    extra?: Partial<MutationDraft>,
  ): number {
    // Copied once, and only spread with `extra` when there is some (most PUTs have none).
    const payload = JSON.stringify(
      extra?.versionId === undefined
        ? { ...mutation, configVersion }
        : { ...mutation, ...extra, configVersion },
    );
    return Number(this.statements.insertOutbox.run('mutation', payload).lastInsertRowid);
  }

  /** The upsert's parameters, exactly: binding a spread of meta cost a few % of a small PUT's CPU. */
  private objectParams(meta: ObjectMeta, versionId: string, versionSeq: number) {
    return {
      bucket: meta.bucket,
      key: meta.key,
      size: meta.size,
      etag: meta.etag,
      contentType: meta.contentType,
      lastModified: meta.lastModified,
      dataFile: meta.dataFile,
      versionId,
      versionSeq,
      headers: JSON.stringify(meta.headers),
      userMetadata: JSON.stringify(meta.userMetadata),
      checksums: JSON.stringify(meta.checksums),
      tags: JSON.stringify(meta.tags ?? {}),
      lock: JSON.stringify(meta.lock ?? {}),
    };
  }

  private toUpload(row: Record<string, string | null>): UploadRow {
    return {
      uploadId: row.upload_id as string,
      bucket: row.bucket as string,
      key: row.key as string,
      initiated: row.initiated as string,
      contentType: row.content_type as string,
      headers: JSON.parse(row.headers as string),
      userMetadata: JSON.parse(row.user_metadata as string),
      checksumAlgorithm: row.checksum_algorithm ?? null,
      checksumType: (row.checksum_type as UploadRow['checksumType']) ?? null,
      tags: JSON.parse(row.tags ?? '{}'),
      lock: JSON.parse(row.lock ?? '{}'),
    };
  }
}

function toPart(row: Record<string, string | number>): PartRow {
  return {
    partNumber: row.part_number as number,
    size: row.size as number,
    etag: row.etag as string,
    lastModified: row.last_modified as string,
    dataFile: row.data_file as string,
    checksum: (row.checksum as string | null) ?? null,
  };
}
