// The kafkajs patch (patches/kafkajs@2.2.4.patch) swaps in @node-rs/crc32's CRC-32C; a broken
// packageExtensions entry would silently fall back to the slow JavaScript one.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const kafkajsDir = dirname(require.resolve('kafkajs'));

describe('patched kafkajs', () => {
  it('resolves @node-rs/crc32 from kafkajs itself', () => {
    expect(() => require.resolve('@node-rs/crc32', { paths: [kafkajsDir] })).not.toThrow();
  });

  it('computes CRC-32C (the check value of "123456789")', () => {
    const crc32C = require(join(kafkajsDir, 'src/protocol/recordBatch/crc32C/index.js')) as (
      b: Buffer,
    ) => number;
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    const jsCrc = require(join(kafkajsDir, 'src/protocol/recordBatch/crc32C/crc32C.js')) as (
      b: Buffer,
    ) => number;
    const large = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff));
    expect(crc32C(large)).toBe(jsCrc(large));
  });
});
