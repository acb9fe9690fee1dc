// Object data on the local filesystem. A file's name is random and never
// derived from the object key, so no key can reach outside the data folder.
// Files are written completely and fsynced before any metadata points at them;
// a reader therefore sees the old or the new object, never a torn one.
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { copyFile, type FileHandle, open, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** How many bytes a data file write gathers before it is issued. */
const WRITE_BATCH_BYTES = 1024 * 1024;

export class BlobStore {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly fsync: boolean,
  ) {
    this.root = join(dataDir, 'objects');
    mkdirSync(this.root, { recursive: true });
    for (let i = 0; i < 256; i++)
      mkdirSync(join(this.root, i.toString(16).padStart(2, '0')), { recursive: true });
  }

  /** A new, unused data file name, relative to the store. */
  newName(): string {
    const id = randomUUID();
    return `${id.slice(0, 2)}/${id}`;
  }

  path(name: string): string {
    return join(this.root, name);
  }

  /**
   * Writes a stream to a new data file and makes it durable. On any error the
   * partial file is removed and the error rethrown.
   */
  async write(source: AsyncIterable<Buffer> | Readable): Promise<{ name: string; size: number }> {
    const name = this.newName();
    const path = this.path(name);
    let handle: FileHandle | undefined;
    let size = 0;
    try {
      const file = await open(path, 'wx');
      handle = file;
      // Chunks are gathered into writes of about WRITE_BATCH_BYTES, and one write is in flight
      // while the next is gathered: the body keeps flowing instead of waiting for each 64 KiB write
      // (at most two batches are held per upload).
      let batch: Buffer[] = [];
      let batchBytes = 0;
      let writing: Promise<unknown> = Promise.resolve();
      for await (const chunk of source as AsyncIterable<Buffer>) {
        batch.push(chunk);
        batchBytes += chunk.length;
        size += chunk.length;
        if (batchBytes < WRITE_BATCH_BYTES) continue;
        await writing;
        writing = file.writev(batch);
        // Handled when awaited above or below; until then a failure must not count as unhandled.
        writing.catch(() => {});
        batch = [];
        batchBytes = 0;
      }
      await writing;
      if (batch.length > 0) await file.writev(batch);
      if (this.fsync) await handle.sync();
      await handle.close();
      return { name, size };
    } catch (error) {
      await handle?.close().catch(() => {});
      await rm(path, { force: true });
      throw error;
    }
  }

  /** Concatenates data files into a new one (multipart completion). */
  async concat(names: string[]): Promise<string> {
    const self = this;
    async function* all() {
      for (const name of names) yield* createReadStream(self.path(name)) as AsyncIterable<Buffer>;
    }
    return (await this.write(all())).name;
  }

  async copy(name: string): Promise<string> {
    const target = this.newName();
    await copyFile(this.path(name), this.path(target));
    if (this.fsync) {
      const handle = await open(this.path(target), 'r+');
      await handle.sync();
      await handle.close();
    }
    return target;
  }

  /** Opens a data file for reading; once open, a concurrent replacement cannot take it away. */
  openForRead(name: string): Promise<FileHandle> {
    return open(this.path(name), 'r');
  }

  async remove(name: string): Promise<void> {
    await unlink(this.path(name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
