// Group fsync of SQLite's write-ahead log. Commits run with synchronous=NORMAL
// (a commit is written to the WAL but not flushed), which survives the process
// being killed but not a power loss. Where an acknowledgement must survive a
// power loss too (a small object stored inline, with fsync on), the caller
// waits for sync(): one fdatasync of the WAL file, in libuv's thread pool, that
// started after its commit — so every commit waiting meanwhile shares the next
// one, and the event loop never blocks on the disk.
import { type FileHandle, open } from 'node:fs/promises';

export class WalSync {
  private handle: Promise<FileHandle> | undefined;
  /** The flush in progress; it covers only commits made before it started. */
  private running: Promise<void> | undefined;
  /** The flush that starts when the running one ends, shared by every commit made meanwhile. */
  private queued: Promise<void> | undefined;

  constructor(private readonly walPath: string) {}

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.flush().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return this.sync();
      });
    return this.queued;
  }

  async close(): Promise<void> {
    await this.running?.catch(() => {});
    await this.queued?.catch(() => {});
    const handle = await this.handle?.catch(() => undefined);
    this.handle = undefined;
    await handle?.close();
  }

  private async flush(): Promise<void> {
    // SQLite keeps the WAL file while a connection is open (it rewinds it after a
    // checkpoint rather than deleting it), so one handle serves for the process's life.
    this.handle ??= open(this.walPath, 'r');
    const handle = await this.handle;
    await handle.datasync();
  }
}
