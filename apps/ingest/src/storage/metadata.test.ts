// The relay's rounds in the metadata database: a round left unfinished (crash,
// Redis outage) comes back exactly as it was, whatever was committed since, so
// its batch jobs keep their ids.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { draft } from '../../test/drafts.ts';
import { Metadata, type ObjectMeta } from './metadata.ts';

const access = (key: string) => draft('s3:ObjectAccessed:Get', key);

describe('relay rounds', () => {
  let dir: string;
  let metadata: Metadata;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'metadata-'));
    metadata = new Metadata(dir);
    metadata.createBucket('b', '2026-12-02T00:00:00.000Z');
  });
  afterEach(() => {
    metadata.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const keys = (rows: { payload: string }[]) => rows.map((row) => JSON.parse(row.payload).key);

  it('repeats an unfinished round exactly, and moves on once it ended', () => {
    for (const key of ['a', 'b', 'c']) metadata.commitAccess(access(key));
    const first = metadata.beginRelayRound(10);
    expect(keys(first)).toEqual(['a', 'b', 'c']);
    metadata.commitAccess(access('d'));
    // Not ended (the process died, or Redis refused): the same rows, not a: … d.
    expect(metadata.beginRelayRound(10)).toEqual(first);
    // Ending it begins the next round, and that one is recorded too.
    const next = metadata.endRelayRound(first.at(-1)?.id as number, 10);
    expect(keys(next)).toEqual(['d']);
    metadata.commitAccess(access('e'));
    expect(metadata.beginRelayRound(10)).toEqual(next);
  });

  it('can end a round without beginning the next (the relay lingers in between)', () => {
    for (const key of ['a', 'b']) metadata.commitAccess(access(key));
    const first = metadata.beginRelayRound(10);
    metadata.commitAccess(access('c'));
    expect(metadata.endRelayRound(first.at(-1)?.id as number, 0)).toEqual([]);
    metadata.commitAccess(access('d'));
    // Nothing was recorded as begun: the next round takes everything committed since.
    expect(keys(metadata.beginRelayRound(10))).toEqual(['c', 'd']);
    expect(metadata.outboxSize()).toBe(2);
  });

  it('survives a restart of the process', () => {
    for (const key of ['a', 'b', 'c']) metadata.commitAccess(access(key));
    const first = metadata.beginRelayRound(2);
    metadata.db.close();
    metadata = new Metadata(dir);
    expect(metadata.beginRelayRound(10)).toEqual(first);
    expect(metadata.outboxSize()).toBe(3);
  });

  it('bucket rows are cached, and every change to one is seen', () => {
    expect(metadata.getBucket('b')?.notificationVersion).toBe(0);
    const version = metadata.putNotification('b', '{"queueConfigurations":[]}');
    expect(version).toBeGreaterThan(0);
    expect(metadata.getBucket('b')?.notificationVersion).toBe(version);
    metadata.commitAccess(access('a'));
    expect(metadata.beginRelayRound(10).map((row) => JSON.parse(row.payload).configVersion)).toEqual([
      undefined,
      version,
    ]);
    expect(metadata.getBucket('other')).toBeUndefined();
    metadata.createBucket('other', '2026-12-02T00:00:00.000Z');
    expect(metadata.getBucket('other')?.name).toBe('other');
    expect(metadata.deleteBucket('other')).toBe('deleted');
    expect(metadata.getBucket('other')).toBeUndefined();
  });
});

describe('a database from before object tags', () => {
  it('gains the tags and versioning columns on open: no tags, never versioned, null versions', async () => {
    const { default: Database } = await import('better-sqlite3');
    const dir = mkdtempSync(join(tmpdir(), 'metadata-old-'));
    try {
      // The two tables as they were, with a row each.
      const old = new Database(join(dir, 'metadata.sqlite'));
      old.exec(`CREATE TABLE buckets (name TEXT PRIMARY KEY, created_at TEXT NOT NULL,
        notification_version INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
        INSERT INTO buckets (name, created_at) VALUES ('b', '2026-01-01T00:00:00.000Z');
        CREATE TABLE objects (bucket TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
        content_type TEXT NOT NULL, headers TEXT NOT NULL, user_metadata TEXT NOT NULL, checksums TEXT NOT NULL,
        last_modified TEXT NOT NULL, data_file TEXT NOT NULL, PRIMARY KEY (bucket, key)) WITHOUT ROWID;
        CREATE TABLE uploads (upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated TEXT NOT NULL,
        content_type TEXT NOT NULL, headers TEXT NOT NULL, user_metadata TEXT NOT NULL, checksum_algorithm TEXT) WITHOUT ROWID;
        INSERT INTO objects VALUES ('b', 'k', 1, 'e', 'text/plain', '{}', '{}', '{}', '2026-01-01T00:00:00.000Z', 'inline:1');
        INSERT INTO uploads VALUES ('u', 'b', 'k', '2026-01-01T00:00:00.000Z', 'text/plain', '{}', '{}', NULL);`);
      old.close();
      const metadata = new Metadata(dir);
      try {
        expect(metadata.getObject('b', 'k')?.tags).toEqual({});
        expect(metadata.getUpload('u')?.tags).toEqual({});
        expect(metadata.getBucket('b')?.versioning).toBe('');
        expect(metadata.getVersion('b', 'k', 'null')?.etag).toBe('e');
        // Versioning turned on later keeps the old object as its null version.
        metadata.setVersioning('b', 'Enabled');
        const object = { ...metadata.getObject('b', 'k'), etag: 'f', dataFile: 'inline:2' } as ObjectMeta;
        const { versionId } = metadata.commitPut(
          object,
          draft('s3:ObjectCreated:Put', 'k'),
          Buffer.from('2'),
        );
        expect(
          metadata.listVersions('b', '', '', undefined, 10).map((v) => [v.versionId, v.etag, v.isLatest]),
        ).toEqual([
          [versionId, 'f', true],
          ['null', 'e', false],
        ]);
      } finally {
        metadata.db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a store created afresh on the same Redis', () => {
  it('numbers its sequencers and config versions above the earlier store’s', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'metadata-')), mkdtempSync(join(tmpdir(), 'metadata-'))];
    try {
      const earlier = new Metadata(dirs[0] as string);
      earlier.createBucket('b', '2026-12-02T00:00:00.000Z');
      const earlierVersion = earlier.putNotification('b', '{}');
      for (const key of ['a', 'b', 'c']) earlier.commitAccess(access(key));
      const earlierIds = earlier.beginRelayRound(10).map((row) => row.id);
      earlier.db.close();
      // Reopened, the earlier store keeps numbering where it was.
      const reopened = new Metadata(dirs[0] as string);
      reopened.commitAccess(access('d'));
      const [next] = reopened.endRelayRound(earlierIds.at(-1) as number, 10);
      expect(next?.id).toBe((earlierIds.at(-1) as number) + 1);
      expect(reopened.putNotification('b', '{}')).toBe(earlierVersion + 1);
      reopened.db.close();

      await new Promise((resolve) => setTimeout(resolve, 2)); // the data directory emptied, later
      const fresh = new Metadata(dirs[1] as string);
      fresh.createBucket('b', '2026-12-02T00:00:00.000Z');
      expect(fresh.putNotification('b', '{}')).toBeGreaterThan(earlierVersion);
      fresh.commitAccess(access('a'));
      const [first] = fresh.beginRelayRound(10);
      expect(first?.id).toBeGreaterThan(earlierIds.at(-1) as number);
      expect(Number.isSafeInteger(first?.id)).toBe(true);
      fresh.db.close();
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
