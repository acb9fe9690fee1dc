// The kafkajs patch (patches/kafkajs@2.2.4.patch) swaps in @node-rs/crc32's CRC-32C (a broken
// packageExtensions entry would silently fall back to the slow JavaScript one), and rewrites the
// default partitioner's murmur2 in 32-bit arithmetic: a different hash would send a key to another
// partition than the Java clients do, and break per-key order across producers. It also writes
// varints straight into the encoder's buffer: every record's framing goes through them.
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

  it("hashes keys as Kafka's Java client does (its murmur2 test vectors)", () => {
    const murmur2 = require(join(kafkajsDir, 'src/producer/partitioners/default/murmur2.js')) as (
      key: string | Buffer,
    ) => number;
    // From Kafka's UtilsTest#testMurmur2, which these values are for.
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
    // Every tail length, multi-byte UTF-8 and high bytes: values from the unpatched (64-bit Long) code.
    expect(['', 'a', 'ab', 'photos/2026/ünïcødé-€.jpg'].map((key) => murmur2(key))).toEqual([
      275646681, -1563381124, 316155434, 48832907,
    ]);
    expect(murmur2(Buffer.from(Array.from({ length: 255 }, (_, i) => 255 - i)))).toBe(-788971837);
  });

  it('groups a batch by partition, keeping each partition in the batch order', () => {
    const group = require(join(kafkajsDir, 'src/producer/groupMessagesPerPartition.js')) as (args: {
      topic: string;
      partitionMetadata: { partitionId: number }[];
      messages: { key: string }[];
      partitioner: (args: { message: { key: string } }) => number;
    }) => Record<string, { key: string }[]>;
    const messages = Array.from({ length: 9 }, (_, i) => ({ key: `k${i}` }));
    const grouped = group({
      topic: 't',
      partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }],
      messages,
      partitioner: ({ message }) => Number(message.key.slice(1)) % 3,
    });
    expect(grouped).toEqual({
      0: [messages[0], messages[3], messages[6]],
      1: [messages[1], messages[4], messages[7]],
      2: [messages[2], messages[5], messages[8]],
    });
    expect(group({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 })).toEqual({});
  });

  it('encodes varints byte for byte as the unpatched encoder did', () => {
    const Encoder = require(join(kafkajsDir, 'src/protocol/encoder.js')) as new () => {
      writeVarInt(value: number): unknown;
      writeUVarInt(value: number): unknown;
      writeVarLong(value: unknown): unknown;
      buffer: Buffer;
    };
    const Long = require(join(kafkajsDir, 'src/utils/long.js')) as { fromString(value: string): unknown };
    const values = [0, 1, -1, 63, -64, 64, -65, 300, -300, 8191, 16384, 2 ** 20, 2 ** 30 - 1, 2 ** 30];
    values.push(-(2 ** 30), -(2 ** 30) - 1, 2 ** 31 - 1, -(2 ** 31));
    // Expected bytes taken from kafkajs 2.2.4 before the patch.
    const int32s =
      '0002017e7f80018101d804d704fe7f80800280808001feffffff078080808008ffffffff078180808008feffffff0fffffffff0f';
    const varInts = new Encoder();
    for (const value of values) varInts.writeVarInt(value);
    expect(varInts.buffer.toString('hex')).toBe(int32s);
    const varLongs = new Encoder();
    for (const value of values) varLongs.writeVarLong(value);
    varLongs.writeVarLong(Long.fromString('1099511627776'));
    varLongs.writeVarLong(2 ** 40);
    varLongs.writeVarLong(-(2 ** 40));
    expect(varLongs.buffer.toString('hex')).toBe(`${int32s}808080808040808080808040ffffffffff3f`);
    const unsigned = new Encoder();
    for (const value of [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32 - 1]) unsigned.writeUVarInt(value);
    expect(unsigned.buffer.toString('hex')).toBe('00017f8001ff7f8080018080808008ffffffff0f');
  });
});
