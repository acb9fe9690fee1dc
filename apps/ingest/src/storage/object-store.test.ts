// Inline storage of small objects: no data file for them, files for large
// ones, and replaced or discarded data released either way.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { draft } from '../../test/drafts.ts';
import type { ObjectMeta } from './metadata.ts';
import { ObjectStore } from './object-store.ts';

const mutation = (key: string) => draft('s3:ObjectCreated:Put', key);

const meta = (key: string, dataFile: string, size: number): ObjectMeta => ({
  bucket: 'b',
  key,
  size,
  etag: 'e',
  contentType: 'application/octet-stream',
  headers: {},
  userMetadata: {},
  checksums: {},
  lastModified: '2026-12-02T00:00:00.000Z',
  dataFile,
});

async function* chunks(...parts: string[]) {
  for (const part of parts) yield Buffer.from(part);
}

describe('ObjectStore inline data', () => {
  let dir: string;
  let store: ObjectStore;
  const files = () =>
    readdirSync(join(dir, 'objects'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-'));
    store = new ObjectStore(dir, { fsync: true, inlineMaxBytes: 10 }, pino({ level: 'silent' }));
    store.metadata.createBucket('b', '2026-12-02T00:00:00.000Z');
  });
  afterEach(async () => {
    await store.close();
    store.metadata.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const read = async (key: string, start = 0, end?: number) => {
    const opened = await store.openObject('b', key);
    if (!opened) return undefined;
    try {
      return await text(opened.handle.createReadStream({ start, end: end ?? opened.meta.size - 1 }));
    } finally {
      await opened.handle.close();
    }
  };

  it('keeps a small object in the database, a large one in a file, and reads both (ranges too)', async () => {
    const small = await store.writeData(chunks('hello', ' you'));
    await store.commitPut(meta('small', small, 9), mutation('small'));
    const large = await store.writeData(chunks('0123456789', 'abcdef'));
    await store.commitPut(meta('large', large, 16), mutation('large'));
    expect(small).toMatch(/^inline:/);
    expect(large).not.toMatch(/^inline:/);
    expect(files()).toHaveLength(1);
    expect(await read('small')).toBe('hello you');
    expect(await read('small', 6, 8)).toBe('you');
    expect(await read('large')).toBe('0123456789abcdef');
  });

  it('releases replaced data: inline bytes with the commit, a file by garbage collection', async () => {
    const first = await store.writeData(chunks('a'.repeat(20)));
    await store.commitPut(meta('k', first, 20), mutation('k'));
    const second = await store.writeData(chunks('small'));
    expect(files()).toHaveLength(1);
    await store.commitPut(meta('k', second, 5), mutation('k'));
    // The commit that released the file removes it (no explicit collection).
    for (let i = 0; i < 100 && files().length > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(files()).toHaveLength(0);
    const third = await store.writeData(chunks('tiny'));
    await store.commitPut(meta('k', third, 4), mutation('k'));
    expect(store.metadata.readInline(second)).toBeUndefined();
    expect(await read('k')).toBe('tiny');
  });

  it('copies inline data under a new name, and discards what never got committed', async () => {
    const source = await store.writeData(chunks('copy me'));
    await store.commitPut(meta('src', source, 7), mutation('src'));
    const copy = await store.copyData(source);
    expect(copy).not.toBe(source);
    await store.commitPut(meta('dst', copy, 7), mutation('dst'));
    await store.commitDelete('b', 'src', undefined, () => mutation('src'));
    expect(await read('dst')).toBe('copy me');

    const dropped = await store.writeData(chunks('never'));
    await store.discard(dropped);
    await store.commitPut(meta('ghost', dropped, 5), mutation('ghost'));
    // Discarded bytes are gone: committing the name afterwards stores no bytes for it.
    expect(store.metadata.readInline(dropped)).toBeUndefined();
  });
});
