// The storage facade the S3 handlers use: data files plus metadata plus the
// outbox, in the order that keeps "acknowledged ⇒ evented": data made durable,
// then one transaction for metadata and outbox row, then the relay is woken and
// replaced data files are removed.
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { OutboxRelay } from '../outbox/relay.ts';
import { BlobStore } from './blobs.ts';
import { Metadata, type MutationDraft, type ObjectMeta } from './metadata.ts';

export class ObjectStore {
  readonly metadata: Metadata;
  readonly blobs: BlobStore;
  private relay: OutboxRelay | undefined;

  constructor(
    dataDir: string,
    options: { fsync: boolean },
    private readonly log: Logger,
  ) {
    this.metadata = new Metadata(dataDir);
    this.blobs = new BlobStore(dataDir, options.fsync);
  }

  attachRelay(relay: OutboxRelay) {
    this.relay = relay;
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

  async writeData(data: AsyncIterable<Buffer>): Promise<string> {
    return (await this.blobs.write(data)).name;
  }

  /** Commits an object whose data file is already durable. */
  commitPut(meta: ObjectMeta, mutation: MutationDraft): void {
    this.metadata.commitPut(meta, mutation);
    this.afterCommit();
  }

  commitDelete(bucket: string, key: string, mutation: () => MutationDraft): boolean {
    const { removed } = this.metadata.commitDelete(bucket, key, mutation);
    if (removed) this.afterCommit();
    return removed;
  }

  commitAccess(mutation: MutationDraft): void {
    this.metadata.commitAccess(mutation);
    this.relay?.notify();
  }

  completeUpload(uploadId: string, meta: ObjectMeta, mutation: MutationDraft): boolean {
    const done = this.metadata.completeUpload(uploadId, meta, mutation);
    if (done) this.afterCommit();
    return done;
  }

  putNotification(bucket: string, config: string): number {
    const version = this.metadata.putNotification(bucket, config);
    this.relay?.notify();
    return version;
  }

  /**
   * Looks an object up and opens its data. A PUT may replace (and unlink) the
   * file between the two steps; then the lookup is simply repeated.
   */
  async openObject(
    bucket: string,
    key: string,
  ): Promise<{ meta: ObjectMeta; handle: FileHandle } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const meta = this.metadata.getObject(bucket, key);
      if (!meta) return undefined;
      try {
        return { meta, handle: await this.blobs.openForRead(meta.dataFile) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
      }
    }
  }

  /** Removes a data file that never got committed (failed upload). */
  async discard(dataFile: string): Promise<void> {
    await this.blobs.remove(dataFile);
  }

  afterCommit(): void {
    this.relay?.notify();
    this.collectGarbage().catch((error) =>
      this.log.warn({ err: error }, 'garbage collection failed; will retry'),
    );
  }
}
