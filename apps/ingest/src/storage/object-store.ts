// The storage facade the S3 handlers use: data files plus metadata plus the
// outbox, in the order that keeps "acknowledged ⇒ evented": data made durable,
// then one transaction for metadata and outbox row, then the relay is woken and
// replaced data files are removed. A small object's bytes skip the file: they
// are stored inline, in that same transaction, and with fsync on the answer
// waits for the write-ahead log's (shared) flush instead of a file's fsync.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { BlobStore } from './blobs.ts';
import { Checkpointer } from './checkpointer.ts';
import { CommitGroup } from './commit-group.ts';
import {
  COMPOSITE_PREFIX,
  type CompositePiece,
  type DeleteOutcome,
  INLINE_PREFIX,
  isComposite,
  isInline,
  Metadata,
  type MutationDraft,
  type ObjectMeta,
} from './metadata.ts';
import { WalSync } from './wal-sync.ts';

/** Objects up to this size (bytes) are stored inline by default. */
export const DEFAULT_INLINE_MAX_BYTES = 64 * 1024;

/** An object's bytes, opened for reading: a data file, or inline bytes. */
export interface ObjectData {
  createReadStream(options: { start: number; end: number; autoClose?: boolean }): Readable;
  close(): Promise<void>;
}

function inlineData(bytes: Buffer): ObjectData {
  return {
    createReadStream: ({ start, end }) => Readable.from([bytes.subarray(start, end + 1)]),
    close: async () => {},
  };
}

/** A multipart object's bytes: its parts' files, open, read one after the other over a range. */
function compositeData(pieces: { handle: FileHandle; size: number }[]): ObjectData {
  return {
    createReadStream: ({ start, end }) => {
      async function* range() {
        let offset = 0;
        for (const { handle, size } of pieces) {
          const first = offset;
          offset += size;
          const last = offset - 1;
          if (size === 0 || last < start || first > end) continue;
          yield* handle.createReadStream({
            start: Math.max(start, first) - first,
            end: Math.min(end, last) - first,
            autoClose: false,
          }) as AsyncIterable<Buffer>;
        }
      }
      return Readable.from(range(), { objectMode: false });
    },
    close: async () => {
      await Promise.all(pieces.map(({ handle }) => handle.close()));
    },
  };
}

/**
 * Most parts a multipart object keeps as its own files; above this, completing an upload joins them
 * into one file (reading it would otherwise hold a descriptor per part open).
 */
export const MAX_COMPOSITE_PIECES = 256;

/** What the S3 handlers get: the store without its database (`metadata`), which only storage and its tests reach. */
export type StorageFacade = Omit<ObjectStore, 'metadata' | 'outbox' | 'notifications'>;

/** The outbox, as the relay and the outbox metrics read it. */
export type Outbox = Pick<
  Metadata,
  'beginRelayRound' | 'endRelayRound' | 'outboxSize' | 'oldestOutboxCommit'
>;

/**
 * The only door to storage: the S3 handlers reach buckets, objects, versions and uploads through
 * these methods, never the database or the data files themselves, and every change that commits an
 * outbox row wakes the relay here.
 */
export class ObjectStore {
  /** The database; only storage's own code and tests reach it (the handlers use the methods below). */
  readonly metadata: Metadata;
  private readonly blobs: BlobStore;
  /** For the relay and the outbox metrics. */
  readonly outbox: Outbox;
  /** Published notification configurations, for the rules cache. */
  readonly notifications: Pick<Metadata, 'getNotification'>;
  /** Told after every commit that added outbox rows (the relay's wake-up). */
  private readonly onCommit: () => void;

  /** Inline bytes written but not committed yet, by data name. */
  private readonly pendingInline = new Map<string, Buffer>();
  private readonly inlineMaxBytes: number;
  /** Set when fsync is on: inline commits wait for the WAL's flush. */
  private readonly walSync: WalSync | undefined;
  private readonly commits: CommitGroup;
  /** Runs the write-ahead log's checkpoints off the event loop (unless turned off). */
  private readonly checkpointer: Checkpointer | undefined;
  /** Inline data names: a per-process random part and a counter (cheaper than a UUID each). */
  private readonly inlineNamePrefix = `${INLINE_PREFIX}${randomUUID()}-`;
  private inlineNames = 0;

  constructor(
    dataDir: string,
    options: {
      fsync: boolean;
      inlineMaxBytes?: number;
      backgroundCheckpoints?: boolean;
      /** Called after each commit, so the relay sends its rows without waiting for its poll. */
      onCommit?: () => void;
    },
    private readonly log: Logger,
  ) {
    this.onCommit = options.onCommit ?? (() => {});
    this.metadata = new Metadata(dataDir);
    this.outbox = this.metadata;
    this.notifications = this.metadata;
    this.blobs = new BlobStore(dataDir, options.fsync);
    this.inlineMaxBytes = options.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
    if (options.fsync) this.walSync = new WalSync(join(dataDir, 'metadata.sqlite-wal'));
    this.commits = new CommitGroup(this.metadata.atomically);
    if (options.backgroundCheckpoints !== false)
      this.checkpointer = new Checkpointer(this.metadata.db, this.metadata.db.name, log);
  }

  private newInlineName(): string {
    this.inlineNames += 1;
    return `${this.inlineNamePrefix}${this.inlineNames}`;
  }

  private collecting: Promise<void> | undefined;
  private collectAgain = false;

  /**
   * Removes data files released by earlier transactions (also those left by a
   * crash). One pass at a time: commits during a pass ask for one more pass.
   */
  collectGarbage(): Promise<void> {
    if (this.collecting) {
      this.collectAgain = true;
      return this.collecting;
    }
    this.collecting = (async () => {
      do {
        this.collectAgain = false;
        for (const name of this.metadata.garbage()) {
          await this.blobs.remove(name);
          this.metadata.forgetGarbage(name);
        }
      } while (this.collectAgain);
    })().finally(() => {
      this.collecting = undefined;
    });
    return this.collecting;
  }

  /**
   * Takes an object's bytes and returns their data name. Bodies up to the inline
   * limit are kept in memory until commitPut stores them with the object (or
   * discard drops them); larger ones, or any with `inline: false`, go to a
   * durable data file.
   */
  async writeData(data: AsyncIterable<Buffer>, options: { inline?: boolean } = {}): Promise<string> {
    if (options.inline === false || this.inlineMaxBytes <= 0) return (await this.blobs.write(data)).name;
    const source = data[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let size = 0;
    for (;;) {
      const next = await source.next();
      if (next.done) break;
      head.push(next.value);
      size += next.value.length;
      if (size > this.inlineMaxBytes) {
        // Too big to inline: the file gets what was read, then the rest.
        const rest = { [Symbol.asyncIterator]: () => source };
        async function* all() {
          yield* head;
          yield* rest;
        }
        return (await this.blobs.write(all())).name;
      }
    }
    const name = this.newInlineName();
    this.pendingInline.set(name, Buffer.concat(head, size));
    return name;
  }

  /** A second copy of an object's bytes under a new data name (for CopyObject). */
  async copyData(dataName: string): Promise<string> {
    if (isComposite(dataName)) return this.blobs.concat(this.pieceFiles(dataName));
    if (!isInline(dataName)) return this.blobs.copy(dataName);
    const bytes = this.metadata.readInline(dataName);
    if (!bytes) throw Object.assign(new Error(`no inline data ${dataName}`), { code: 'ENOENT' });
    const name = this.newInlineName();
    this.pendingInline.set(name, bytes);
    return name;
  }

  /**
   * Commits an object whose data is ready (a durable file, or inline bytes from
   * writeData/copyData), grouped with the other commits of this turn of the
   * event loop; resolves once the commit is as durable as the store promises, with the version
   * id the object got ('null' unless the bucket's versioning is Enabled).
   */
  async commitPut(
    meta: ObjectMeta,
    mutation: MutationDraft,
    precondition?: (current: ObjectMeta | undefined) => void,
  ): Promise<string> {
    const inline = this.pendingInline.get(meta.dataFile);
    let replaced: string | undefined;
    let versionId: string;
    try {
      ({ replaced, versionId } = await this.commits.run(() =>
        this.metadata.commitPut(meta, mutation, inline, precondition),
      ));
    } finally {
      this.pendingInline.delete(meta.dataFile);
    }
    // Inline bytes went with the commit itself; only a replaced file is left to remove.
    this.afterCommit({ releasedFile: replaced !== undefined && !isInline(replaced) });
    if (inline) await this.walSync?.sync();
    return versionId;
  }

  commitDelete(
    bucket: string,
    key: string,
    versionId: string | undefined,
    mutation: Parameters<Metadata['commitDelete']>[3],
    noop?: () => MutationDraft,
    guard?: Parameters<Metadata['commitDelete']>[5],
  ): DeleteOutcome {
    const outcome = this.metadata.commitDelete(bucket, key, versionId, mutation, noop, guard);
    if (outcome.evented) this.afterCommit({ releasedFile: outcome.removed });
    return outcome;
  }

  commitAccess(mutation: MutationDraft): void {
    this.metadata.commitAccess(mutation);
    this.onCommit();
  }

  /**
   * Completes a multipart upload with the parts named, in order: up to MAX_COMPOSITE_PIECES parts
   * the object keeps the parts' own files (nothing is copied; they were made durable when
   * uploaded), more are joined into one file first. The object's version id, or undefined when
   * there is no such upload. meta.dataFile is set here.
   */
  async completeUpload(
    uploadId: string,
    meta: Omit<ObjectMeta, 'dataFile'>,
    mutation: MutationDraft,
    parts: readonly { partNumber: number; etag: string; dataFile: string }[],
  ): Promise<string | undefined> {
    if (parts.length <= MAX_COMPOSITE_PIECES) {
      const dataFile = `${COMPOSITE_PREFIX}${randomUUID()}`;
      const versionId = this.metadata.completeUpload(uploadId, { ...meta, dataFile }, mutation, parts);
      if (versionId !== undefined) this.afterCommit();
      return versionId;
    }
    const dataFile = await this.blobs.concat(parts.map((part) => part.dataFile));
    try {
      const versionId = this.metadata.completeUpload(uploadId, { ...meta, dataFile }, mutation);
      if (versionId === undefined) await this.blobs.remove(dataFile);
      else this.afterCommit();
      return versionId;
    } catch (error) {
      await this.blobs.remove(dataFile);
      throw error;
    }
  }

  /** The data files' bytes, one file after the other (a FULL_OBJECT checksum of a multipart upload's parts). */
  async *readFiles(dataFiles: readonly string[]): AsyncIterable<Buffer> {
    for (const dataFile of dataFiles)
      yield* createReadStream(this.blobs.path(dataFile)) as AsyncIterable<Buffer>;
  }

  private pieceFiles(dataName: string): string[] {
    return this.metadata.compositePieces(dataName).map((piece) => piece.dataFile);
  }

  /** Opens every piece of a multipart object; undefined when one is gone (the object was replaced meanwhile). */
  private async openPieces(pieces: CompositePiece[]): Promise<ObjectData | undefined> {
    const opened: { handle: FileHandle; size: number }[] = [];
    try {
      for (const piece of pieces)
        opened.push({ handle: await this.blobs.openForRead(piece.dataFile), size: piece.size });
      return compositeData(opened);
    } catch (error) {
      await Promise.all(opened.map(({ handle }) => handle.close()));
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  putNotification(bucket: string, config: string): number {
    const version = this.metadata.putNotification(bucket, config);
    this.onCommit();
    return version;
  }

  /**
   * Looks an object up and opens its data. A PUT may replace (and unlink) the
   * file between the two steps; then the lookup is simply repeated.
   */
  async openObject(
    bucket: string,
    key: string,
    versionId?: string,
  ): Promise<{ meta: ObjectMeta; handle: ObjectData } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const meta =
        versionId === undefined
          ? this.metadata.getObject(bucket, key)
          : this.metadata.getVersion(bucket, key, versionId);
      // A delete marker has no data to open (the caller answers for it: s3/versioning.ts).
      if (!meta || ('deleteMarker' in meta && meta.deleteMarker)) return undefined;
      if (isInline(meta.dataFile)) {
        // Read in the same tick as the lookup: no commit can release the bytes in between.
        const bytes = this.metadata.readInline(meta.dataFile);
        if (bytes) return { meta, handle: inlineData(bytes) };
        throw new Error(`inline data of ${bucket}/${key} is missing`);
      }
      if (isComposite(meta.dataFile)) {
        // The pieces are read in the same tick as the lookup; once open, none can be taken away.
        const handle = await this.openPieces(this.metadata.compositePieces(meta.dataFile));
        if (handle) return { meta, handle };
        if (attempt >= 3) throw new Error(`the parts of ${bucket}/${key} are missing`);
        continue;
      }
      try {
        return { meta, handle: await this.blobs.openForRead(meta.dataFile) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
      }
    }
  }

  /** Drops data that never got committed (failed upload). */
  async discard(dataName: string): Promise<void> {
    if (this.pendingInline.delete(dataName) || isInline(dataName) || isComposite(dataName)) return;
    await this.blobs.remove(dataName);
  }

  /** Stops background work and closes the database (whose close checkpoints the rest). */
  async close(): Promise<void> {
    await this.checkpointer?.close();
    await this.walSync?.close();
    this.metadata.close();
  }

  // --- buckets, versions and uploads, for the S3 handlers -------------------------------

  getBucket(name: string) {
    return this.metadata.getBucket(name);
  }

  createBucket(...args: Parameters<Metadata['createBucket']>) {
    return this.metadata.createBucket(...args);
  }

  /** Deletes an empty bucket (and its abandoned uploads, whose part files then go). */
  deleteBucket(name: string) {
    const outcome = this.metadata.deleteBucket(name);
    if (outcome === 'deleted') this.afterCommit();
    return outcome;
  }

  listBuckets() {
    return this.metadata.listBuckets();
  }

  setVersioning(...args: Parameters<Metadata['setVersioning']>) {
    this.metadata.setVersioning(...args);
  }

  setObjectLockConfig(...args: Parameters<Metadata['setObjectLockConfig']>) {
    this.metadata.setObjectLockConfig(...args);
  }

  bucketTags(bucket: string) {
    return this.metadata.bucketTags(bucket);
  }

  setBucketTags(...args: Parameters<Metadata['setBucketTags']>) {
    this.metadata.setBucketTags(...args);
  }

  getObject(bucket: string, key: string) {
    return this.metadata.getObject(bucket, key);
  }

  getVersion(...args: Parameters<Metadata['getVersion']>) {
    return this.metadata.getVersion(...args);
  }

  currentDeleteMarker(...args: Parameters<Metadata['currentDeleteMarker']>) {
    return this.metadata.currentDeleteMarker(...args);
  }

  listObjects(...args: Parameters<Metadata['listObjects']>) {
    return this.metadata.listObjects(...args);
  }

  listVersions(...args: Parameters<Metadata['listVersions']>) {
    return this.metadata.listVersions(...args);
  }

  /** Changes an object's tags or lock with its event (Metadata.commitAttribute), then wakes the relay. */
  commitAttribute(...args: Parameters<Metadata['commitAttribute']>): boolean {
    const committed = this.metadata.commitAttribute(...args);
    if (committed) this.afterCommit({ releasedFile: false });
    return committed;
  }

  createUpload(...args: Parameters<Metadata['createUpload']>) {
    this.metadata.createUpload(...args);
  }

  getUpload(uploadId: string) {
    return this.metadata.getUpload(uploadId);
  }

  listUploads(...args: Parameters<Metadata['listUploads']>) {
    return this.metadata.listUploads(...args);
  }

  /** Records a part; the part it replaced, if any, is removed. */
  putPart(...args: Parameters<Metadata['putPart']>) {
    const stored = this.metadata.putPart(...args);
    if (stored?.replaced !== undefined) this.afterCommit();
    return stored;
  }

  listParts(...args: Parameters<Metadata['listParts']>) {
    return this.metadata.listParts(...args);
  }

  allParts(uploadId: string) {
    return this.metadata.allParts(uploadId);
  }

  /** Removes an upload; its part files go. */
  abortUpload(uploadId: string): boolean {
    const aborted = this.metadata.abortUpload(uploadId);
    if (aborted) this.afterCommit();
    return aborted;
  }

  /** Wakes the relay and, unless the commit released no data file, removes released files. */
  afterCommit({ releasedFile = true }: { releasedFile?: boolean } = {}): void {
    this.onCommit();
    if (!releasedFile) return;
    this.collectGarbage().catch((error) =>
      this.log.warn({ err: error }, 'garbage collection failed; will retry'),
    );
  }
}
