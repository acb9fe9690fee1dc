// The metadata database's schema. One SQLite file holds buckets, object
// metadata, multipart uploads, notification configurations and the outbox, so
// a mutation and its outbox row commit in one transaction.
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS buckets (
  name TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  notification_version INTEGER NOT NULL DEFAULT 0,
  -- '' (never versioned), 'Enabled' or 'Suspended' (PutBucketVersioning).
  versioning TEXT NOT NULL DEFAULT '',
  -- '' without object lock; else its configuration as JSON ('{}': enabled, no default retention).
  object_lock TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS objects (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  headers TEXT NOT NULL,
  user_metadata TEXT NOT NULL,
  checksums TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  data_file TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '{}',
  -- 'null' unless written while the bucket's versioning was Enabled.
  version_id TEXT NOT NULL DEFAULT 'null',
  -- Orders a key's versions, newest highest; 0 for objects of never-versioned buckets.
  version_seq INTEGER NOT NULL DEFAULT 0,
  -- Object lock: {"mode","retainUntil","legalHold"} as set; '{}' when none.
  lock TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;

-- A versioned bucket's other versions: every noncurrent object version and every
-- delete marker (current or not). A key's current object, when its newest version
-- is not a delete marker, stays in objects, so GET and LIST read one table as
-- before; its version_seq is above every row here for the same key.
CREATE TABLE IF NOT EXISTS versions (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  version_id TEXT NOT NULL,
  version_seq INTEGER NOT NULL,
  delete_marker INTEGER NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  headers TEXT NOT NULL,
  user_metadata TEXT NOT NULL,
  checksums TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  data_file TEXT NOT NULL,
  tags TEXT NOT NULL,
  lock TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (bucket, key, version_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS versions_by_seq ON versions (bucket, key, version_seq);

-- Bucket tags (Put/Get/DeleteBucketTagging), a row only for a bucket that has some.
CREATE TABLE IF NOT EXISTS bucket_tags (
  bucket TEXT PRIMARY KEY,
  tags TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS notification_configs (
  bucket TEXT NOT NULL,
  version INTEGER NOT NULL,
  config TEXT NOT NULL,
  PRIMARY KEY (bucket, version)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS uploads (
  upload_id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  initiated TEXT NOT NULL,
  content_type TEXT NOT NULL,
  headers TEXT NOT NULL,
  user_metadata TEXT NOT NULL,
  checksum_algorithm TEXT,
  -- 'COMPOSITE' or 'FULL_OBJECT': how the completed object's checksum is made.
  checksum_type TEXT,
  tags TEXT NOT NULL DEFAULT '{}',
  -- The x-amz-object-lock-* headers of CreateMultipartUpload, for the completed object.
  lock TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uploads_by_bucket ON uploads (bucket, key, initiated);

CREATE TABLE IF NOT EXISTS parts (
  upload_id TEXT NOT NULL,
  part_number INTEGER NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  data_file TEXT NOT NULL,
  -- The part's checksum (base64) in the upload's x-amz-checksum-algorithm, when it has one.
  checksum TEXT,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;

-- Commit order is the sequencer: AUTOINCREMENT never reuses an id, even after
-- the relay deleted every row.
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL
);

-- When this store was created (ms since the epoch), set once with the schema. A
-- store created afresh (its data directory emptied) on the same Redis starts its
-- outbox ids — the sequencers — and its notification config versions above
-- everything an earlier store gave out: otherwise its batch jobs would take the
-- ids of the earlier store's completed jobs (and be dropped as already added),
-- the router would keep the earlier rules cached under a reused version, and a
-- namespace view would take its events for stale ones.
CREATE TABLE IF NOT EXISTS store_info (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

-- The relay's round in flight: the outbox head through last_id, recorded before
-- those rows are handed to Redis. After a crash the same rows go out again as
-- the same batch jobs (same job ids, so a batch already added is not repeated);
-- reading "the next N rows" afresh could cut the batches differently.
CREATE TABLE IF NOT EXISTS relay_round (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_id INTEGER NOT NULL
);

-- Small objects' bytes, kept in this database: written in the same transaction as
-- the object's row, so storing one creates, fsyncs and closes no file. The
-- object's data name is 'inline:<id>' (a data file's is '<xx>/<uuid>').
CREATE TABLE IF NOT EXISTS inline_data (
  name TEXT PRIMARY KEY,
  data BLOB NOT NULL
);

-- A multipart object's bytes: its parts' data files, in order, kept as they were uploaded
-- (completing an upload copies nothing). The object's data name is 'parts:<id>'.
CREATE TABLE IF NOT EXISTS composite_data (
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data_file TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (name, seq)
) WITHOUT ROWID;

-- Data files no longer referenced, removed after the transaction that released them.
CREATE TABLE IF NOT EXISTS garbage (
  data_file TEXT PRIMARY KEY
) WITHOUT ROWID;
`;
