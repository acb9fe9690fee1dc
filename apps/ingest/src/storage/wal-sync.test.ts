// The group flush of the write-ahead log: callers that arrive while a flush
// runs share the next one, and each is answered only by a flush that started
// after it asked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WalSync } from './wal-sync.ts';

describe('WalSync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('shares one flush among the callers waiting for it', async () => {
    const path = join(dir, 'db-wal');
    writeFileSync(path, 'frames');
    const probe = await open(path, 'r');
    const prototype = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    const order: string[] = [];
    const real = prototype.datasync;
    const datasync = vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
      order.push('flush-start');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await real.call(this);
      order.push('flush-end');
    });
    const wal = new WalSync(path);
    const first = wal.sync().then(() => order.push('first'));
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first flush is running now
    const waiting = Array.from({ length: 10 }, (_, i) => wal.sync().then(() => order.push(`w${i}`)));
    await Promise.all([first, ...waiting]);
    expect(datasync).toHaveBeenCalledTimes(2);
    // The ten who asked during the first flush were answered by the second one only.
    expect(order.indexOf('first')).toBeLessThan(order.lastIndexOf('flush-start'));
    for (let i = 0; i < 10; i++)
      expect(order.indexOf(`w${i}`)).toBeGreaterThan(order.lastIndexOf('flush-end'));
    await wal.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
